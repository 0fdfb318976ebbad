/* include/vers/prosody.h — public API of the prosody layer (filled in by that layer's work). */
#ifndef VERS_PROSODY_H
#define VERS_PROSODY_H
#include "vers/common.h"
#endif
