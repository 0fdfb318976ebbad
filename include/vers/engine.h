/* include/vers/engine.h — public API of the engine layer (filled in by that layer's work). */
#ifndef VERS_ENGINE_H
#define VERS_ENGINE_H
#include "vers/common.h"
#endif
