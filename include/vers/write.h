/* include/vers/write.h — public API of the write layer (filled in by that layer's work). */
#ifndef VERS_WRITE_H
#define VERS_WRITE_H
#include "vers/common.h"
#endif
