// Fiber switching. makecontext prepares a stack once; after that a switch is GCC's __builtin_setjmp and
// __builtin_longjmp (stack pointer, frame pointer and resume address; the compiler saves the other registers
// around the setjmp), which unlike swapcontext makes no signal-mask system call and unlike glibc's longjmp
// runs no cancellation or fortify checks. Every switch is announced to AddressSanitizer so it does not mistake
// the other stack for a buffer overflow.
#include "fiber.hpp"

#include <sys/mman.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/common_interface_defs.h>
#define EMBGEO_EMU_ASAN 1
#else
#define EMBGEO_EMU_ASAN 0
#endif

#include "emu_internal.hpp"

namespace embgeo_emu::detail {
namespace {

// Kernels keep little on the stack; ASan's redzones and unoptimized frames need more.
constexpr std::size_t kStackBytes = (EMBGEO_EMU_ASAN ? 512 : 64) * 1024;

thread_local Fiber* t_booting = nullptr;

// GCC requires the longjmp to sit in another function than the setjmp it pairs with. Not instrumented: ASan
// would precede the jump with __asan_handle_no_return, which unpoisons the whole stack it leaves (a memset of
// its shadow on every switch) although the frames there stay live.
[[gnu::noinline, gnu::no_sanitize_address]] void jump_to(void** context) { __builtin_longjmp(context, 1); }

inline void start_switch(void** fake_stack_save, const void* bottom, std::size_t bytes) {
#if EMBGEO_EMU_ASAN
  __sanitizer_start_switch_fiber(fake_stack_save, bottom, bytes);
#else
  (void)fake_stack_save, (void)bottom, (void)bytes;
#endif
}

inline void finish_switch(void* fake_stack_save, const void** old_bottom, std::size_t* old_bytes) {
#if EMBGEO_EMU_ASAN
  __sanitizer_finish_switch_fiber(fake_stack_save, old_bottom, old_bytes);
#else
  (void)fake_stack_save, (void)old_bottom, (void)old_bytes;
#endif
}

}  // namespace

Fiber::Fiber(Body body, void* arg) : body_(body), arg_(arg) {
  const std::size_t page = static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
  mapping_bytes_ = kStackBytes + page;
  stack_ = mmap(nullptr, mapping_bytes_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
  if (stack_ == MAP_FAILED) fatal("cannot map a %zu-byte fiber stack", mapping_bytes_);
  // A guard page below the stack turns an overflow into a segfault instead of silent corruption.
  if (mprotect(stack_, page, PROT_NONE) != 0) fatal("cannot protect a fiber stack's guard page");
  stack_bottom_ = static_cast<char*>(stack_) + page;
  stack_bytes_ = kStackBytes;
  if (getcontext(&boot_) != 0) fatal("getcontext failed");
  boot_.uc_stack.ss_sp = stack_bottom_;
  boot_.uc_stack.ss_size = stack_bytes_;
  boot_.uc_link = nullptr;
  makecontext(&boot_, &Fiber::entry, 0);
}

Fiber::~Fiber() { munmap(stack_, mapping_bytes_); }

void Fiber::resume() {
  start_switch(&resumer_fake_stack_, stack_bottom_, stack_bytes_);
  if (__builtin_setjmp(resumer_) == 0) {
    if (started_) jump_to(self_);
    started_ = true;
    t_booting = this;
    setcontext(&boot_);
    fatal("setcontext failed");
  }
  finish_switch(resumer_fake_stack_, nullptr, nullptr);
}

void Fiber::suspend() {
  start_switch(&fake_stack_, resumer_bottom_, resumer_bytes_);
  if (__builtin_setjmp(self_) == 0) jump_to(resumer_);
  finish_switch(fake_stack_, &resumer_bottom_, &resumer_bytes_);
}

void Fiber::entry() {
  Fiber* self = t_booting;
  finish_switch(nullptr, &self->resumer_bottom_, &self->resumer_bytes_);
  for (;;) {
    self->body_(self->arg_);
    self->suspend();
  }
}

}  // namespace embgeo_emu::detail
