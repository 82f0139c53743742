/* Cooperative cancellation: a per-thread pointer to the flag of the computation the thread runs,
   polled by the runtime between chunks and by compiled kernels at the back-edges of outer loops
   (one load of a thread-local and of the flag), and a SIGINT handler for the REPL that sets the
   flag of the computation in progress. */
#include "kernel_support.h"
#include <signal.h>
#include <stddef.h>
#include <string.h>

static _Thread_local volatile int32_t *current_token = NULL;
static volatile int32_t *volatile interrupt_target = NULL;

volatile int32_t *sj_swap_cancel_token(volatile int32_t *token) {
    volatile int32_t *previous = current_token;
    current_token = token;
    return previous;
}

volatile int32_t *sj_get_cancel_token(void) { return current_token; }

int32_t sj_token_cancelled(volatile int32_t *token) { return token ? __atomic_load_n(token, __ATOMIC_RELAXED) : 0; }

int32_t sj_cancelled(void) { return sj_token_cancelled(current_token); }

void sj_reset_token(volatile int32_t *token) {
    if (token) __atomic_store_n(token, 0, __ATOMIC_RELAXED);
}

void sj_cancel(volatile int32_t *token) {
    if (token) __atomic_store_n(token, 1, __ATOMIC_RELAXED);
}

static void on_interrupt(int signal) {
    (void)signal;
    sj_cancel(interrupt_target);
}

void sj_install_interrupt_handler(void) {
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = on_interrupt;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESTART;
    sigaction(SIGINT, &action, NULL);
}

void sj_set_interrupt_target(volatile int32_t *target) { interrupt_target = target; }
