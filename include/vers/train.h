/* include/vers/train.h — public API of the train layer (filled in by that layer's work). */
#ifndef VERS_TRAIN_H
#define VERS_TRAIN_H
#include "vers/common.h"
#endif
