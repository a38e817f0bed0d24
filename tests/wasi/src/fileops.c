// File operations inside the preopened directory argv[1] (which starts empty): create,
// write, seek, read back, stat, readdir, rename, unlink, mkdir/rmdir, links. Prints one
// line per step; errors print the errno's name.
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *errname(int e) {
  switch (e) {
    case 0: return "OK";
    case ENOENT: return "ENOENT";
    case EEXIST: return "EEXIST";
    case ENOTDIR: return "ENOTDIR";
    case EISDIR: return "EISDIR";
    case ENOTEMPTY: return "ENOTEMPTY";
    case EBADF: return "EBADF";
    case EINVAL: return "EINVAL";
    case ENOTCAPABLE: return "ENOTCAPABLE";
    case EPERM: return "EPERM";
    case EACCES: return "EACCES";
    case ELOOP: return "ELOOP";
    case ESPIPE: return "ESPIPE";
    default: return "other";
  }
}

#define CHECK(label, expr)                                                  \
  do {                                                                      \
    errno = 0;                                                              \
    long r_ = (long)(expr);                                                 \
    printf("%s: %s\n", label, r_ < 0 ? errname(errno) : "OK");              \
  } while (0)

static char path_buf[512];
static const char *P(const char *dir, const char *name) {
  snprintf(path_buf, sizeof path_buf, "%s/%s", dir, name);
  return path_buf;
}

static int cmp(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static void list(const char *dir) {
  DIR *d = opendir(dir);
  if (!d) {
    printf("opendir %s: %s\n", dir, errname(errno));
    return;
  }
  char *names[64];
  int n = 0;
  struct dirent *e;
  while ((e = readdir(d)) != NULL && n < 64) {
    if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
    char *s = malloc(strlen(e->d_name) + 3);
    sprintf(s, "%s%s", e->d_name, e->d_type == DT_DIR ? "/" : e->d_type == DT_LNK ? "@" : "");
    names[n++] = s;
  }
  closedir(d);
  qsort(names, n, sizeof names[0], cmp);
  printf("list:");
  for (int i = 0; i < n; i++) {
    printf(" %s", names[i]);
    free(names[i]);
  }
  printf("\n");
}

int main(int argc, char **argv) {
  if (argc < 2) return 2;
  const char *dir = argv[1];
  char buf[128];

  int fd = open(P(dir, "a.txt"), O_CREAT | O_RDWR | O_TRUNC, 0644);
  printf("open a.txt: %s\n", fd >= 0 ? "OK" : errname(errno));
  CHECK("write", write(fd, "hello, world\n", 13));
  printf("lseek cur: %ld\n", (long)lseek(fd, 0, SEEK_CUR));
  printf("lseek set 7: %ld\n", (long)lseek(fd, 7, SEEK_SET));
  ssize_t n = read(fd, buf, sizeof buf);
  printf("read back: %zd \"%.*s\"\n", n, (int)(n > 0 ? n - 1 : 0), buf);
  printf("lseek end: %ld\n", (long)lseek(fd, 0, SEEK_END));
  CHECK("pwrite", pwrite(fd, "HELLO", 5, 0));
  n = pread(fd, buf, 5, 0);
  printf("pread: %zd \"%.*s\"\n", n, (int)n, buf);
  printf("tell after pread: %ld\n", (long)lseek(fd, 0, SEEK_CUR));
  struct stat st;
  CHECK("fstat", fstat(fd, &st));
  printf("fstat: size %lld regular %d dir %d\n", (long long)st.st_size, S_ISREG(st.st_mode), S_ISDIR(st.st_mode));
  CHECK("ftruncate 5", ftruncate(fd, 5));
  CHECK("fstat", fstat(fd, &st));
  printf("size after truncate: %lld\n", (long long)st.st_size);
  CHECK("fsync", fsync(fd));
  CHECK("fdatasync", fdatasync(fd));
  CHECK("posix_fadvise", posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL));
  CHECK("close", close(fd));
  CHECK("close again", close(fd));

  fd = open(P(dir, "a.txt"), O_WRONLY | O_APPEND);
  CHECK("append", write(fd, "+tail", 5));
  close(fd);
  fd = open(P(dir, "a.txt"), O_RDONLY);
  n = read(fd, buf, sizeof buf);
  printf("after append: \"%.*s\"\n", (int)n, buf);
  CHECK("write to read-only", write(fd, "x", 1));
  close(fd);

  CHECK("open missing", open(P(dir, "missing.txt"), O_RDONLY));
  CHECK("open excl existing", open(P(dir, "a.txt"), O_CREAT | O_EXCL | O_WRONLY, 0644));
  CHECK("mkdir sub", mkdir(P(dir, "sub"), 0755));
  CHECK("mkdir sub again", mkdir(P(dir, "sub"), 0755));
  CHECK("open dir for write", open(P(dir, "sub"), O_WRONLY));
  fd = open(P(dir, "sub/inner.txt"), O_CREAT | O_WRONLY, 0644);
  CHECK("write inner", write(fd, "inner", 5));
  close(fd);
  CHECK("stat sub", stat(P(dir, "sub"), &st));
  printf("sub is dir: %d\n", S_ISDIR(st.st_mode));
  CHECK("stat sub/inner.txt", stat(P(dir, "sub/inner.txt"), &st));
  printf("inner size: %lld\n", (long long)st.st_size);
  CHECK("stat through file", stat(P(dir, "a.txt/x"), &st));
  list(dir);

  char from[512], to[512];
  snprintf(from, sizeof from, "%s/a.txt", dir);
  snprintf(to, sizeof to, "%s/sub/b.txt", dir);
  CHECK("rename a.txt -> sub/b.txt", rename(from, to));
  CHECK("stat old name", stat(from, &st));
  CHECK("stat new name", stat(to, &st));
  printf("b.txt size: %lld\n", (long long)st.st_size);
  list(dir);
  snprintf(from, sizeof from, "%s/sub", dir);
  list(from);

  snprintf(from, sizeof from, "%s/link", dir);
  CHECK("symlink", symlink("sub/b.txt", from));
  n = readlink(from, buf, sizeof buf);
  printf("readlink: %zd \"%.*s\"\n", n, (int)(n > 0 ? n : 0), buf);
  CHECK("lstat link", lstat(from, &st));
  printf("link is symlink: %d\n", S_ISLNK(st.st_mode));
  fd = open(from, O_RDONLY);
  n = read(fd, buf, sizeof buf);
  printf("read via link: \"%.*s\"\n", (int)(n > 0 ? n : 0), buf);
  close(fd);
  snprintf(to, sizeof to, "%s/hard", dir);
  CHECK("link", link(P(dir, "sub/inner.txt"), to));
  CHECK("stat hard", stat(to, &st));
  printf("hard nlink: %lld\n", (long long)st.st_nlink);
  CHECK("unlink hard", unlink(to));
  CHECK("unlink link", unlink(from));

  CHECK("rmdir non-empty", rmdir(P(dir, "sub")));
  CHECK("unlink dir", unlink(P(dir, "sub")));
  CHECK("unlink sub/b.txt", unlink(P(dir, "sub/b.txt")));
  CHECK("unlink sub/inner.txt", unlink(P(dir, "sub/inner.txt")));
  CHECK("unlink again", unlink(P(dir, "sub/inner.txt")));
  CHECK("rmdir sub", rmdir(P(dir, "sub")));
  CHECK("stat sub after rmdir", stat(P(dir, "sub"), &st));
  list(dir);
  return 0;
}
