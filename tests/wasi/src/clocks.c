// Sanity checks of clocks, sleeping (poll_oneoff) and random bytes; prints one line each.
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sched.h>
#include <sys/random.h>
#include <wasi/api.h>

static long long ns(struct timespec t) { return (long long)t.tv_sec * 1000000000LL + t.tv_nsec; }

int main(void) {
  struct timespec r, m1, m2, res;
  clock_gettime(CLOCK_REALTIME, &r);
  printf("realtime after 2020: %s\n", r.tv_sec > 1577836800 ? "yes" : "no");
  printf("monotonic res > 0: %s\n", clock_getres(CLOCK_MONOTONIC, &res) == 0 && ns(res) > 0 ? "yes" : "no");
  clock_gettime(CLOCK_MONOTONIC, &m1);
  struct timespec d = {0, 20 * 1000 * 1000};
  nanosleep(&d, NULL);
  clock_gettime(CLOCK_MONOTONIC, &m2);
  long long slept = ns(m2) - ns(m1);
  printf("slept >= 20ms: %s\n", slept >= 20000000LL ? "yes" : "no");
  printf("slept < 5s: %s\n", slept < 5000000000LL ? "yes" : "no");

  // Two clock subscriptions: the earlier one fires, alone.
  __wasi_subscription_t subs[2];
  memset(subs, 0, sizeof subs);
  subs[0].userdata = 11;
  subs[0].u.tag = __WASI_EVENTTYPE_CLOCK;
  subs[0].u.u.clock.id = __WASI_CLOCKID_MONOTONIC;
  subs[0].u.u.clock.timeout = 5000000000ULL;
  subs[1].userdata = 22;
  subs[1].u.tag = __WASI_EVENTTYPE_CLOCK;
  subs[1].u.u.clock.id = __WASI_CLOCKID_MONOTONIC;
  subs[1].u.u.clock.timeout = 1000000ULL;
  __wasi_event_t ev[2];
  __wasi_size_t nev = 0;
  __wasi_errno_t e = __wasi_poll_oneoff(subs, ev, 2, &nev);
  printf("poll: errno %d, events %u, first userdata %llu type %d\n", e, (unsigned)nev, (unsigned long long)ev[0].userdata, ev[0].type);

  unsigned char a[64], b[64];
  memset(a, 0, sizeof a);
  memset(b, 0, sizeof b);
  int ok = getentropy(a, sizeof a) == 0 && getentropy(b, sizeof b) == 0;
  int nonzero = 0;
  for (size_t i = 0; i < sizeof a; i++) nonzero |= a[i];
  printf("random: %s, nonzero %s, differs %s\n", ok ? "ok" : "failed", nonzero ? "yes" : "no", memcmp(a, b, sizeof a) ? "yes" : "no");
  printf("sched_yield: %d\n", sched_yield());
  return 0;
}
