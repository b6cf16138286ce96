// Linux headers that Swift's Glibc module does not expose: eventfd (the loop's wake-up) and
// epoll (for hosts that embed the loop, and its tests).
#include <sys/eventfd.h>
#include <sys/epoll.h>
