#ifndef A2AL_CSODIUM_SHIM_H
#define A2AL_CSODIUM_SHIM_H
#include <sodium.h>
#endif
