/* Cooperative cancellation: a per-thread pointer to the flag of the computation the thread runs,
   polled by the runtime between chunks; compiled kernels first load sj_cancel_pending (how many
   tokens are cancelled, usually 0) at the back-edges of outer loops and only when it is not 0 ask
   sj_cancelled() about their own token. A SIGINT handler for the REPL sets the flag of the
   computation in progress. */
#define _POSIX_C_SOURCE 200809L
#include "kernel_support.h"
#include <signal.h>
#include <stddef.h>
#include <string.h>

static _Thread_local volatile int32_t *current_token = NULL;
volatile int32_t sj_cancel_pending = 0;
static volatile int32_t *volatile interrupt_target = NULL;

volatile int32_t *sj_swap_cancel_token(volatile int32_t *token) {
    volatile int32_t *previous = current_token;
    current_token = token;
    return previous;
}

volatile int32_t *sj_get_cancel_token(void) { return current_token; }

int32_t sj_token_cancelled(volatile int32_t *token) { return token ? __atomic_load_n(token, __ATOMIC_RELAXED) : 0; }

int32_t sj_cancelled(void) { return sj_token_cancelled(current_token); }

/* sj_cancelled for compiled kernels on x86-64 Linux, with LLVM's preserve_most convention: it
   keeps every general register but r11 (and rax, the result), so that the never-taken call in a
   kernel's cancellation check costs the loop around it no spills (KernelLoops.swift). Written in
   assembly so that it keeps that contract whichever C compiler builds the runtime (GCC, which
   builds scripts/build-runtime's library for exported kernels, has no preserve_most): it saves the
   registers the C convention lets sj_cancelled clobber (vector registers are the caller's to keep
   under preserve_most too), with the stack 16-byte aligned at the call (8 + 7 * 8 bytes pushed). */
#if defined(__x86_64__) && defined(__ELF__)
__asm__(
    "    .text\n"
    "    .globl sj_cancelled_preserving\n"
    "    .type sj_cancelled_preserving, @function\n"
    "    .p2align 4\n"
    "sj_cancelled_preserving:\n"
    "    .cfi_startproc\n"
    "    pushq %rcx\n    .cfi_adjust_cfa_offset 8\n"
    "    pushq %rdx\n    .cfi_adjust_cfa_offset 8\n"
    "    pushq %rsi\n    .cfi_adjust_cfa_offset 8\n"
    "    pushq %rdi\n    .cfi_adjust_cfa_offset 8\n"
    "    pushq %r8\n    .cfi_adjust_cfa_offset 8\n"
    "    pushq %r9\n    .cfi_adjust_cfa_offset 8\n"
    "    pushq %r10\n    .cfi_adjust_cfa_offset 8\n"
    "    call sj_cancelled@PLT\n"
    "    popq %r10\n    .cfi_adjust_cfa_offset -8\n"
    "    popq %r9\n    .cfi_adjust_cfa_offset -8\n"
    "    popq %r8\n    .cfi_adjust_cfa_offset -8\n"
    "    popq %rdi\n    .cfi_adjust_cfa_offset -8\n"
    "    popq %rsi\n    .cfi_adjust_cfa_offset -8\n"
    "    popq %rdx\n    .cfi_adjust_cfa_offset -8\n"
    "    popq %rcx\n    .cfi_adjust_cfa_offset -8\n"
    "    ret\n"
    "    .cfi_endproc\n"
    "    .size sj_cancelled_preserving, .-sj_cancelled_preserving\n");
#endif

void sj_reset_token(volatile int32_t *token) {
    if (token && __atomic_exchange_n(token, 0, __ATOMIC_RELAXED)) __atomic_fetch_sub(&sj_cancel_pending, 1, __ATOMIC_RELAXED);
}

void sj_cancel(volatile int32_t *token) {
    if (token && !__atomic_exchange_n(token, 1, __ATOMIC_RELAXED)) __atomic_fetch_add(&sj_cancel_pending, 1, __ATOMIC_RELAXED);
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
