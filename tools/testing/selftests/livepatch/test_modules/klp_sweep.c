// SPDX-License-Identifier: GPL-2.0
/*
 * klp_sweep - write hundreds of malformed values to a writable livepatch
 * sysfs knob ("enabled" or "force") and check each outcome against the
 * rules of the C core, for the bad-input selftest.
 *
 *   usage: klp_sweep [-u UID] [-j PROCS] [-s] KNOB
 *          klp_sweep -j PROCS -w VALUE -n COUNT KNOB
 *
 * First form: every value of a fixed, generated list is written with one
 * write(2) (or writev(2) in parts, or pwrite(2) at an offset), and the
 * outcome is compared with what the C core gives in the patch's state
 * ("enabled" and "transition", read from the knob's directory at the
 * start):
 *
 *   - sysfs: an empty write returns 0 without calling the store function;
 *     a write longer than a page reaches it as its first 4096 bytes.
 *   - enabled: a value kstrtobool() refuses, or equal to "enabled", fails
 *     with EINVAL.
 *   - force: a value kstrtobool() refuses fails with EINVAL; a false value
 *     succeeds and does nothing; a true value outside a transition fails
 *     with EINVAL.
 *
 * Values that would change the state (disable, reverse, force) are not
 * written; they are counted as valid.  After each write the state must
 * be unchanged.  With -j, PROCS processes write the whole list at the same
 * time.  With -u, the knob is opened as that user: the open must fail with
 * EACCES.  With -s the knob is opened, then one line is read from standard
 * input (meanwhile the caller removes the patch), then every write must
 * fail with ENODEV.
 *
 * Second form: PROCS processes each write VALUE COUNT times at the same
 * time; VALUE may be a comma-separated list, of which process i writes the
 * i-th (cyclically).  Prints how many writes had each outcome.
 *
 * Prints a summary line, and for the first form a digest of all outcomes
 * (equal on both cores when they behave alike); exits 1 if any outcome or
 * state differed from the rules.
 */

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <libgen.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#define PAGE 4096
#define MAX_VALUES 1024

struct value {
	char *data;
	size_t len;
	size_t split;	/* > 0: written with writev() as [0, split) and the rest */
	off_t offset;	/* > 0: written with pwrite() at this offset */
};

static struct value values[MAX_VALUES];
static int nr_values;

static void add(const char *data, size_t len, size_t split, off_t offset)
{
	struct value *v = &values[nr_values++];

	v->data = malloc(len + 1);
	if (!v->data || nr_values > MAX_VALUES) {
		fprintf(stderr, "klp_sweep: too many values\n");
		exit(2);
	}
	memcpy(v->data, data, len);
	v->len = len;
	v->split = split;
	v->offset = offset;
}

static void add_str(const char *s)
{
	add(s, strlen(s), 0, 0);
}

static void add_repeated(char c, size_t len, const char *head)
{
	char *buf = malloc(len);
	size_t h = strlen(head);

	memset(buf, c, len);
	memcpy(buf, head, h < len ? h : len);
	add(buf, len, 0, 0);
	free(buf);
}

/* The list: the same on every run, so that both cores see the same writes. */
static void make_values(void)
{
	static const char *const words[] = {
		"", " ", "  ", "\t", "\n", "\r\n", " 1", "\t1", "\n1", " 0", "\v1",
		"\xa0" "1", "2", "-1", "-0", "+1", "+0", "10", "01", "00", "11",
		"0x1", "1.0", "9", "yes", "no", "true", "false", "on", "off", "On",
		"OFF", "oN", "oFF", "o", "O", "ox", "o n", "enable", "disable",
		"Y", "n", "y\n", "N\n", "1\n", "0\n", "1 2", "nope", "maybe",
		"\x00" "1", "\x00" "0", "\xff", "\xef\xbb\xbf" "1", "\\x31", "%d",
		"%s%s%s%s", "1\x00" "garbage", "0\x00" "garbage", "-", "--1",
	};
	uint32_t seed = 0x4b4c5021;
	char buf[128];
	unsigned int i, j;

	for (i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		add_str(words[i]);
	add("\x00" "1", 2, 0, 0);
	add("1\x00" "x", 3, 0, 0);
	add("0\x00" "x", 3, 0, 0);
	/* Every byte alone, then after an "o" (kstrtobool() reads two). */
	for (i = 0; i < 256; i++) {
		buf[0] = i;
		add(buf, 1, 0, 0);
	}
	for (i = 0; i < 256; i++) {
		buf[0] = 'o';
		buf[1] = i;
		add(buf, 2, 0, 0);
	}
	/* Long values, around and past a page. */
	add_repeated('x', PAGE - 1, "");
	add_repeated('x', PAGE, "");
	add_repeated('x', PAGE + 1, "");
	add_repeated('x', 5000, "");
	add_repeated('x', 65536, "");
	add_repeated(' ', 5000, "1");
	add_repeated(' ', 5000, "0");
	add_repeated('0', 5000, "");
	add_repeated('\0', 5000, "");
	add_repeated('x', 5000, "on");
	/* Binary noise from a fixed seed. */
	for (i = 0; i < 64; i++) {
		size_t len;

		seed = seed * 1664525 + 1013904223;
		len = 1 + (seed >> 24) % 100;
		for (j = 0; j < len; j++) {
			seed = seed * 1664525 + 1013904223;
			buf[j] = seed >> 24;
		}
		add(buf, len, 0, 0);
	}
	/* In parts (writev) and at an offset (pwrite): sysfs sees one buffer. */
	add("on", 2, 1, 0);
	add("of", 2, 1, 0);
	add("x1", 2, 1, 0);
	add("1x", 2, 1, 0);
	add(" 1", 2, 1, 0);
	add("2", 1, 0, 1);
	add("1", 1, 0, 1);
	add("0", 1, 0, 4095);
	add("x", 1, 0, 100);
	add("", 0, 0, 7);
}

/* kstrtobool(): 1 true, 0 false, -1 refused. */
static int parse_bool(const char *s)
{
	switch (s[0]) {
	case 'e': case 'E': case 'y': case 'Y': case 't': case 'T': case '1':
		return 1;
	case 'd': case 'D': case 'n': case 'N': case 'f': case 'F': case '0':
		return 0;
	case 'o': case 'O':
		if (s[1] == 'n' || s[1] == 'N')
			return 1;
		if (s[1] == 'f' || s[1] == 'F')
			return 0;
		return -1;
	default:
		return -1;
	}
}

static int knob_is_force, state_enabled, state_transition, stale;

/*
 * The outcome the C core gives: "ok", "short N" or an errno name; NULL
 * when the write would change the patch's state.
 */
static const char *expected(const struct value *v)
{
	static char buf[32];
	size_t len = v->len < PAGE ? v->len : PAGE;
	char page[PAGE + 1];
	int val;

	if (stale)
		return "ENODEV";
	if (!len)
		return "ok";
	memcpy(page, v->data, len);
	page[len] = '\0';
	val = parse_bool(page);
	if (val < 0)
		return "EINVAL";
	if (!knob_is_force) {
		if (val == state_enabled)
			return "EINVAL";
		return NULL;
	}
	if (val && state_transition)
		return NULL;
	if (val)
		return "EINVAL";
	if (len < v->len) {
		snprintf(buf, sizeof(buf), "short %zu", len);
		return buf;
	}
	return "ok";
}

static const char *errno_name(int err)
{
	static char buf[16];

	switch (err) {
	case EINVAL: return "EINVAL";
	case EBUSY: return "EBUSY";
	case ENODEV: return "ENODEV";
	case EACCES: return "EACCES";
	case EPERM: return "EPERM";
	case ENOMEM: return "ENOMEM";
	case EFAULT: return "EFAULT";
	case ENOENT: return "ENOENT";
	case E2BIG: return "E2BIG";
	default:
		snprintf(buf, sizeof(buf), "errno%d", err);
		return buf;
	}
}

static const char *do_write(int fd, const struct value *v)
{
	static char buf[32];
	ssize_t ret;

	if (v->split) {
		struct iovec iov[2] = {
			{ v->data, v->split },
			{ v->data + v->split, v->len - v->split },
		};

		ret = pwritev(fd, iov, 2, 0);
	} else {
		ret = pwrite(fd, v->data, v->len, v->offset);
	}
	if (ret < 0)
		return errno_name(errno);
	if ((size_t)ret == v->len)
		return "ok";
	snprintf(buf, sizeof(buf), "short %zd", ret);
	return buf;
}

static char dir[4096];

static int read_int(const char *name)
{
	char path[4200], buf[16] = "";
	int fd = -1;
	ssize_t len;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	len = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	return len > 0 ? atoi(buf) : -1;
}

static int state_unchanged(void)
{
	return read_int("enabled") == state_enabled &&
	       read_int("transition") == state_transition;
}

/* FNV-1a, over the index and outcome of each write. */
static uint32_t digest = 2166136261u;

static void hash(const void *p, size_t len)
{
	const unsigned char *c = p;

	while (len--) {
		digest ^= *c++;
		digest *= 16777619u;
	}
}

/* Writes the list once; returns the number of unexpected outcomes. */
static int sweep(int fd, int verbose, int *written, int *valid)
{
	int i, bad = 0;

	for (i = 0; i < nr_values; i++) {
		const char *want = expected(&values[i]), *got;

		if (!want) {
			(*valid)++;
			continue;
		}
		got = do_write(fd, &values[i]);
		(*written)++;
		hash(&i, sizeof(i));
		hash(got, strlen(got));
		if (strcmp(got, want)) {
			if (verbose && bad < 10)
				printf("value %d (%zu bytes, first 0x%02x): %s, expected %s\n",
				       i, values[i].len,
				       values[i].len ? (unsigned char)values[i].data[0] : 0,
				       got, want);
			bad++;
		}
		if (verbose && !stale && !state_unchanged()) {
			printf("value %d changed the state\n", i);
			return bad + 1;
		}
	}
	return bad;
}

/* Start the children together: each waits for the pipe to close. */
static int gate[2];

static int child_index;

static int run_children(int procs, int (*child)(void))
{
	int i, status, failed = 0;

	if (pipe(gate))
		return -1;
	for (i = 0; i < procs; i++) {
		pid_t pid = fork();
		char c;

		if (pid < 0)
			return -1;
		if (!pid) {
			child_index = i;
			close(gate[1]);
			if (read(gate[0], &c, 1) < 0)
				_exit(2);
			_exit(child());
		}
	}
	close(gate[0]);
	close(gate[1]);
	while (wait(&status) > 0)
		if (!WIFEXITED(status) || WEXITSTATUS(status))
			failed++;
	return failed;
}

static const char *knob;
static const char *race_value;
static int race_count;

static int sweep_child(void)
{
	int fd = open(knob, O_WRONLY), written = 0, valid = 0;

	if (fd < 0)
		return 2;
	return sweep(fd, 0, &written, &valid) ? 1 : 0;
}

/* Outcome counts of the race, shared through a pipe: one line per write. */
static int race_pipe[2];

static int race_child(void)
{
	/* Child i writes the i-th value of the comma-separated list (cyclically). */
	char *list = strdup(race_value), *words[16], *save;
	int fd = open(knob, O_WRONLY), i, n = 0;
	struct value v;
	char *word;

	for (word = strtok_r(list, ",", &save); word && n < 16; word = strtok_r(NULL, ",", &save))
		words[n++] = word;
	if (!n)
		return 2;
	word = words[child_index % n];
	v = (struct value){ word, strlen(word), 0, 0 };

	if (fd < 0)
		return 2;
	for (i = 0; i < race_count; i++) {
		char line[40];
		int len = snprintf(line, sizeof(line), "%s\n", do_write(fd, &v));

		if (write(race_pipe[1], line, len) != len)
			return 2;
	}
	return 0;
}

static int race(int procs)
{
	char buf[65536], *line, *save;
	const char *names[8] = { 0 };
	int counts[8] = { 0 }, kinds = 0, i, failed;
	size_t have = 0;
	ssize_t len;

	if (pipe(race_pipe))
		return 2;
	failed = run_children(procs, race_child);
	close(race_pipe[1]);
	while ((len = read(race_pipe[0], buf + have, sizeof(buf) - 1 - have)) > 0)
		have += len;
	buf[have] = '\0';
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		for (i = 0; i < kinds && strcmp(names[i], line); i++)
			;
		if (i == kinds) {
			if (kinds == 8)
				return 2;
			names[kinds++] = strdup(line);
		}
		counts[i]++;
	}
	printf("%d processes wrote '%s' %d times:", procs, race_value, race_count);
	for (i = 0; i < kinds; i++)
		printf(" %s %d", names[i], counts[i]);
	printf("\n");
	return failed ? 1 : 0;
}

int main(int argc, char **argv)
{
	int opt, procs = 0, uid = -1, fd, bad, written = 0, valid = 0;
	char *copy;

	while ((opt = getopt(argc, argv, "u:j:sw:n:")) != -1) {
		switch (opt) {
		case 'u': uid = atoi(optarg); break;
		case 'j': procs = atoi(optarg); break;
		case 's': stale = 1; break;
		case 'w': race_value = optarg; break;
		case 'n': race_count = atoi(optarg); break;
		default: return 2;
		}
	}
	if (optind != argc - 1) {
		fprintf(stderr, "usage: klp_sweep [-u UID] [-j PROCS] [-s] KNOB\n"
				"       klp_sweep -j PROCS -w VALUE -n COUNT KNOB\n");
		return 2;
	}
	knob = argv[optind];
	copy = strdup(knob);
	snprintf(dir, sizeof(dir), "%s", dirname(copy));
	copy = strdup(knob);
	knob_is_force = !strcmp(basename(copy), "force");

	if (race_value)
		return race(procs > 0 ? procs : 1);

	make_values();
	state_enabled = read_int("enabled");
	state_transition = read_int("transition");

	if (uid >= 0) {
		/* Only the knob's own mode applies: open its folder first. */
		int dfd = open(dir, O_PATH | O_DIRECTORY);

		if (dfd < 0 || setgroups(0, NULL) || setgid(uid) || setuid(uid))
			return 2;
		copy = strdup(knob);
		fd = openat(dfd, basename(copy), O_WRONLY);
		printf("%s as uid %d: open: %s\n", knob_is_force ? "force" : "enabled",
		       uid, fd < 0 ? errno_name(errno) : "ok");
		return fd < 0 && errno == EACCES ? 0 : 1;
	}

	fd = open(knob, O_WRONLY);
	if (fd < 0) {
		printf("open: %s\n", errno_name(errno));
		return 1;
	}
	if (stale) {
		char line[16];

		printf("opened\n");
		fflush(stdout);
		if (!fgets(line, sizeof(line), stdin))
			return 2;
	}

	if (procs > 0) {
		int failed = run_children(procs, sweep_child);

		bad = failed;
		written = 0;
		if (!state_unchanged()) {
			printf("the state changed\n");
			bad++;
		}
		printf("%d processes wrote %d values each: %s\n", procs, nr_values,
		       bad ? "some outcomes differ from the C core's rules" :
		       "every outcome as on the C core, state unchanged");
		return bad ? 1 : 0;
	}

	bad = sweep(fd, 1, &written, &valid);
	printf("%d writes, %d valid values not written: %s; digest %08x\n",
	       written, valid,
	       bad ? "some outcomes differ from the C core's rules" :
	       "every outcome as on the C core, state unchanged", digest);
	return bad ? 1 : 0;
}
