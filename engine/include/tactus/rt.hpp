#pragma once
// The real-time boundary. Functions that an audio callback may call end in
// `_rt` and are declared TACTUS_RT: they never allocate, lock, log, throw or
// make system calls (posting a semaphore aside), and their work is bounded
// by their arguments. tests/engine/rt_safety_test.cpp checks this with an
// allocation guard.
#define TACTUS_RT /* real-time safe */ [[gnu::hot]]
