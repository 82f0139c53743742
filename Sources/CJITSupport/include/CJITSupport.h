// Umbrella header of the runtime helpers JITted code calls.
#include "jit_support.h"
#include "kernel_support.h"
#include "runtime_settings.h"
