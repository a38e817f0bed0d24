// More descriptor and path operations inside the preopened directory argv[1] (empty at
// start): timestamps, allocation, descriptor flags, renumbering, a directory large enough
// to need several fd_readdir calls, and poll() on stdin.
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <wasi/api.h>

static char pb[512];
static const char *P(const char *dir, const char *name) {
  snprintf(pb, sizeof pb, "%s/%s", dir, name);
  return pb;
}

int main(int argc, char **argv) {
  if (argc < 2) return 2;
  const char *dir = argv[1];
  struct stat st;

  int fd = open(P(dir, "t.txt"), O_CREAT | O_RDWR, 0644);
  struct timespec ts[2] = {{1000000000, 0}, {1234567890, 0}};
  printf("futimens: %d\n", futimens(fd, ts));
  fstat(fd, &st);
  printf("mtime %lld atime %lld\n", (long long)st.st_mtim.tv_sec, (long long)st.st_atim.tv_sec);
  struct timespec ts2[2] = {{0, UTIME_OMIT}, {1500000000, 0}};
  printf("utimensat: %d\n", utimensat(AT_FDCWD, P(dir, "t.txt"), ts2, 0));
  stat(P(dir, "t.txt"), &st);
  printf("mtime %lld atime %lld\n", (long long)st.st_mtim.tv_sec, (long long)st.st_atim.tv_sec);
  printf("posix_fallocate: %d\n", posix_fallocate(fd, 0, 4096));
  fstat(fd, &st);
  printf("size after allocate: %lld\n", (long long)st.st_size);

  printf("fcntl getfl append: %d\n", (fcntl(fd, F_GETFL) & O_APPEND) != 0);
  printf("fcntl setfl: %d\n", fcntl(fd, F_SETFL, O_APPEND));
  printf("fcntl getfl append: %d\n", (fcntl(fd, F_GETFL) & O_APPEND) != 0);
  write(fd, "END", 3);
  fstat(fd, &st);
  printf("size after append write: %lld\n", (long long)st.st_size);

  int fd2 = open(P(dir, "u.txt"), O_CREAT | O_RDWR, 0644);
  write(fd2, "from u", 6);
  printf("fd_renumber: %d\n", __wasi_fd_renumber(fd2, fd));
  printf("old fd after renumber: %s\n", fcntl(fd2, F_GETFL) < 0 && errno == EBADF ? "closed" : "open");
  char buf[32];
  ssize_t n = pread(fd, buf, sizeof buf, 0);
  printf("read through renumbered fd: \"%.*s\"\n", (int)n, buf);
  close(fd);

  mkdir(P(dir, "many"), 0755);
  for (int i = 0; i < 300; i++) {
    char name[64];
    snprintf(name, sizeof name, "many/entry-with-a-longish-name-%03d", i);
    int f = open(P(dir, name), O_CREAT | O_WRONLY, 0644);
    close(f);
  }
  DIR *d = opendir(P(dir, "many"));
  int count = 0, sum = 0;
  struct dirent *e;
  while ((e = readdir(d)) != NULL) {
    if (e->d_name[0] == '.') continue;
    count++;
    sum += atoi(e->d_name + strlen("entry-with-a-longish-name-"));
  }
  closedir(d);
  printf("readdir: %d entries, index sum %d\n", count, sum);

  printf("isatty(1): %d\n", isatty(1));
  struct pollfd p = {0, POLLIN, 0};
  int r = poll(&p, 1, 5000);
  printf("poll stdin: %d revents %s\n", r, (p.revents & POLLIN) ? "POLLIN" : "none");
  n = read(0, buf, sizeof buf);
  printf("stdin: \"%.*s\"\n", (int)(n > 0 ? n : 0), buf);
  return 0;
}
