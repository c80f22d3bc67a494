#pragma once
// A fiber: a stack of its own on which `body(arg)` runs, again each time it finishes and is resumed. The
// block scheduler gives every CUDA thread of a block one fiber; __syncthreads() suspends it.
#include <ucontext.h>

#include <cstddef>

namespace embgeo_emu::detail {

class Fiber {
 public:
  using Body = void (*)(void* arg);
  Fiber(Body body, void* arg);
  ~Fiber();
  Fiber(const Fiber&) = delete;
  Fiber& operator=(const Fiber&) = delete;

  // From the scheduler: run the fiber until it calls suspend() (or its body returns, which suspends it too).
  void resume();
  // From inside the fiber: return to the resume() that ran it.
  void suspend();

 private:
  static void entry();

  Body body_;
  void* arg_;
  void* stack_ = nullptr;  // the mapping, guard page included
  std::size_t mapping_bytes_ = 0;
  char* stack_bottom_ = nullptr;  // lowest usable address
  std::size_t stack_bytes_ = 0;
  bool started_ = false;
  ucontext_t boot_;   // used once, to enter the fresh stack
  void* self_[5];     // where suspend() left the fiber (a __builtin_setjmp buffer)
  void* resumer_[5];  // where resume() left the scheduler
  // AddressSanitizer's view of the two stacks across switches.
  void* fake_stack_ = nullptr;
  void* resumer_fake_stack_ = nullptr;
  const void* resumer_bottom_ = nullptr;
  std::size_t resumer_bytes_ = 0;
};

}  // namespace embgeo_emu::detail
