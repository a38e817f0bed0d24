// Copies stdin to stdout until end of input; reports the byte count on stderr.
#include <stdio.h>
#include <unistd.h>

int main(void) {
  char buf[1000];
  long total = 0;
  ssize_t n;
  while ((n = read(0, buf, sizeof buf)) > 0) {
    total += n;
    for (ssize_t off = 0; off < n;) {
      ssize_t w = write(1, buf + off, n - off);
      if (w <= 0) return 1;
      off += w;
    }
  }
  if (n < 0) {
    perror("read");
    return 1;
  }
  fprintf(stderr, "read %ld bytes\n", total);
  return 0;
}
