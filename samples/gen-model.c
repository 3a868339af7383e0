/* gen-model.c - see gen-model.h */
#include "gen-model.h"

#include "lp_date.h"
#include "lp_money.h"
#include "lp_nlid.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define LP_STEMS 81000000u /* lp_nlid_*_make are injective below this */

/* ------------------------------------------------------------ helpers */

/* "prog: message" and a newline on stderr */
static void vsay(const char *prog, const char *fmt, va_list ap)
{
	fprintf(stderr, "%s: ", prog);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void gen_die(const char *prog, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsay(prog, fmt, ap);
	va_end(ap);
	exit(1);
}

static void usage_error(const char *prog, const char *fmt, ...) __attribute__((format(printf, 2, 3), noreturn));
static void usage_error(const char *prog, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsay(prog, fmt, ap);
	va_end(ap);
	fprintf(stderr, "Try '%s --help'.\n", prog);
	exit(2);
}

void gen_mkdir_p(const char *prog, const char *path)
{
	char tmp[4096];
	if (snprintf(tmp, sizeof tmp, "%s", path) >= (int)sizeof tmp)
		gen_die(prog, "path too long: %s", path);
	for (char *p = tmp + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(tmp, 0755) != 0 && errno != EEXIST)
			gen_die(prog, "%s: %s", tmp, strerror(errno));
		*p = '/';
	}
	if (mkdir(tmp, 0755) != 0 && errno != EEXIST)
		gen_die(prog, "%s: %s", tmp, strerror(errno));
}

FILE *gen_open(const char *prog, const char *path, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);
	if (fd < 0)
		gen_die(prog, "%s: %s", path, strerror(errno));
	if (fchmod(fd, mode) != 0) /* also when the file existed */
		gen_die(prog, "%s: %s", path, strerror(errno));
	FILE *f = fdopen(fd, "w");
	if (f == NULL)
		gen_die(prog, "%s: %s", path, strerror(errno));
	setvbuf(f, NULL, _IOFBF, 1 << 16);
	return f;
}

void gen_close(const char *prog, FILE *f, const char *path)
{
	if (ferror(f) | fclose(f))
		gen_die(prog, "%s: write error", path);
}

void gen_jstr(FILE *f, const char *s)
{
	if (s == NULL) {
		fputs("null", f);
		return;
	}
	putc('"', f);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\') {
			putc('\\', f);
			putc(*p, f);
		} else if (*p < 0x20) {
			fprintf(f, "\\u%04x", *p);
		} else {
			putc(*p, f);
		}
	}
	putc('"', f);
}

/* splitmix64: tiny, fast, good enough for test data. */
uint64_t gen_next(uint64_t *s)
{
	uint64_t z = (*s += 0x9E3779B97F4A7C15ULL);
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
	return z ^ (z >> 31);
}

/* Uniform-ish integer in [0, n). The modulo bias is irrelevant here. */
static uint32_t rnd(uint64_t *s, uint32_t n)
{
	return (uint32_t)(gen_next(s) % n);
}

/* --------------------------------------------------------------- dates */

static int weekday(long z) /* 0 = Sunday */
{
	return (int)(((z % 7) + 11) % 7); /* 1970-01-01 was a Thursday */
}

long gen_first_of_month(long z, int months)
{
	return lp_date_add_months(lp_date_month_start((lp_date)z), months);
}

long gen_last_of_month(long z, int months)
{
	return gen_first_of_month(z, months + 1) - 1;
}

void gen_fmt_date(char out[GEN_DATEBUF], long z)
{
	lp_date_fmt((lp_date)z, out);
}

static long last_sunday(int y, int m)
{
	long z = lp_date_from_ymd(y, m, lp_date_days_in_month(y, m));
	return z - weekday(z);
}

/* CEST (+02:00) from the day after the last Sunday of March up to and including the last
 * Sunday of October (the switches happen at 02:00/03:00, after midnight). */
void gen_fmt_stamp(char out[GEN_DATEBUF], long z)
{
	int y, m, d;
	lp_date_ymd((lp_date)z, &y, &m, &d);
	int summer = z > last_sunday(y, 3) && z <= last_sunday(y, 10);
	snprintf(out, GEN_DATEBUF, "%04d-%02d-%02dT00:00:00+0%d:00", y, m, d, summer ? 2 : 1);
}

const char *gen_cents(char out[32], long long c)
{
	return lp_money_fmt((lp_cents)c, out);
}

/* c * (100 + pct) / 100, half away from zero, in cents. */
static long long raise_cents(long long c, int pct)
{
	return (c * (100 + pct) + 50) / 100;
}

long long gen_monthly_cents(const struct gen_comp *c, int *hourly)
{
	*hourly = c->interval && !strcmp(c->interval, "HOURLY");
	if (c->interval && !strcmp(c->interval, "YEARLY"))
		return (c->cents + 6) / 12;
	return c->cents;
}

/* ------------------------------------------------------------- options */

static unsigned long long parse_uint(const char *prog, const char *opt, const char *s, unsigned long long max)
{
	char *end;
	if (*s < '0' || *s > '9')
		usage_error(prog, "%s: not an unsigned integer: '%s'", opt, s);
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno || *end || v > max)
		usage_error(prog, "%s: out of range or not a number: '%s' (max %llu)", opt, s, max);
	return v;
}

void gen_parse_args(struct gen_run *r, int argc, char **argv, const char *prog, const char *version,
		    const char *help, int personio_options)
{
	int have_c = 0, have_e = 0;
	memset(r, 0, sizeof *r);
	r->seed = 1;
	lp_date d;
	lp_date_parse("2026-01-01", &d);
	r->start = d;
	for (int a = 1; a < argc; a++) {
		const char *o = argv[a];
		/* accept both "--opt value" and "--opt=value" */
		const char *v = NULL;
		char name[32];
		const char *eq = strchr(o, '=');
		if (strncmp(o, "--", 2) == 0 && eq && (size_t)(eq - o) < sizeof name) {
			memcpy(name, o, (size_t)(eq - o));
			name[eq - o] = '\0';
			o = name;
			v = eq + 1;
		}
		if (!strcmp(o, "--help") || !strcmp(o, "-h")) {
			fputs(help, stdout);
			exit(0);
		}
		if (!strcmp(o, "--version")) {
			printf("%s %s\n", prog, version);
			exit(0);
		}
		if (personio_options && !strcmp(o, "--configs-only") && !v) {
			r->configs_only = 1;
			continue;
		}
		int takes = !strcmp(o, "--clients") || !strcmp(o, "--employees") || !strcmp(o, "--seed") ||
			    !strcmp(o, "--start-date") || !strcmp(o, "--out") ||
			    (personio_options && (!strcmp(o, "--month") || !strcmp(o, "--personio-url") ||
						  !strcmp(o, "--loket-url") || !strcmp(o, "--loket-token-file")));
		if (!takes)
			usage_error(prog, "unknown argument '%s'", argv[a]);
		if (v == NULL) {
			if (a + 1 >= argc)
				usage_error(prog, "%s needs a value", o);
			v = argv[++a];
		}
		if (!strcmp(o, "--clients")) {
			r->clients = (unsigned)parse_uint(prog, o, v, 99999);
			have_c = 1;
		} else if (!strcmp(o, "--employees")) {
			r->employees = (unsigned long)parse_uint(prog, o, v, 10000000);
			have_e = 1;
		} else if (!strcmp(o, "--seed")) {
			r->seed = parse_uint(prog, o, v, UINT64_MAX);
		} else if (!strcmp(o, "--month")) {
			r->month = (int)parse_uint(prog, o, v, GEN_MAXMONTH);
			if (r->month < 1)
				usage_error(prog, "--month: 1..%d", GEN_MAXMONTH);
		} else if (!strcmp(o, "--start-date")) {
			if (lp_date_parse(v, &d) != 0)
				usage_error(prog, "--start-date: not a valid YYYY-MM-DD date: '%s'", v);
			r->start = d;
		} else if (!strcmp(o, "--personio-url")) {
			r->personio_url = v;
		} else if (!strcmp(o, "--loket-url")) {
			r->loket_url = v;
		} else if (!strcmp(o, "--loket-token-file")) {
			r->token_file = v;
		} else {
			if (*v == '\0')
				usage_error(prog, "--out: empty directory name");
			r->out = v;
		}
	}
	if (!have_c || r->clients < 1)
		usage_error(prog, "--clients N (N >= 1) is required");
	if (!have_e || r->employees < 1)
		usage_error(prog, "--employees M (M >= 1) is required");
	if (r->out == NULL)
		usage_error(prog, "--out DIR is required");
	if (r->month && (unsigned long long)r->clients * r->employees * 2 > LP_STEMS)
		usage_error(prog, "--month needs clients * employees <= %u (room for new hires' BSNs)", LP_STEMS / 2);
}

/* ------------------------------------------------------------- clients */

/* Deterministic UUID-like string from a 64-bit state. */
static void fake_uuid(char out[37], uint64_t *st)
{
	uint64_t a = gen_next(st), b = gen_next(st);
	snprintf(out, 37, "%08" PRIx64 "-%04" PRIx64 "-4%03" PRIx64 "-%04" PRIx64 "-%012" PRIx64, a >> 32,
		 (a >> 16) & 0xffff, a & 0xfff, (uint64_t)0x8000 | (b >> 48 & 0x3fff), b & (uint64_t)0xffffffffffff);
}

void gen_client(const struct gen_run *r, unsigned ci, struct gen_client *c)
{
	snprintf(c->name, sizeof c->name, "gen%04u", ci);
	snprintf(c->entity, sizeof c->entity, "%u", 1000 + ci);
	snprintf(c->entity_name, sizeof c->entity_name, "Gen %04u Nederland B.V.", ci);
	uint64_t st = r->seed ^ 0xC0F16ULL ^ ((uint64_t)ci << 32);
	fake_uuid(c->employer_id, &st);
	fake_uuid(c->admin_id, &st);
	/* loonheffingennummer: a 9-digit fiscal number (same 11-proef as a BSN) + "L01" */
	char bsn[10];
	lp_nlid_bsn_make(70000000u + ci, bsn);
	snprintf(c->tax, sizeof c->tax, "%sL01", bsn);
	c->client_number = (int)(10000 + ci);
}

static void lower_ascii(char *dst, size_t n, const char *src)
{
	size_t j = 0;
	for (; *src && j + 1 < n; src++) {
		char c = *src;
		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
			dst[j++] = c;
	}
	dst[j] = '\0';
}

void gen_email(const struct gen_person *p, const struct gen_client *c, char *out, size_t n)
{
	char fn[40], ln[40], buf[96];
	lower_ascii(fn, sizeof fn, p->first);
	snprintf(buf, sizeof buf, "%s%s", p->sn->prefix, p->sn->name);
	lower_ascii(ln, sizeof ln, buf);
	snprintf(out, n, "%s.%s.%lu@%s.example", fn, ln, p->pid, c->name);
}

long gen_as_of(const struct gen_run *r, int month)
{
	return gen_first_of_month(r->start, month - 1) + 14;
}

/* ---------------------------------------------------------- name lists */

static const char *const male[] = {
	"Daan", "Sem", "Lucas", "Levi", "Finn", "Milan", "Bram", "Thijs", "Jesse", "Ruben",
	"Lars", "Tim", "Jan", "Pieter", "Kees", "Joost", "Wouter", "Gijs", "Stijn", "Luuk",
	"Sander", "Niels", "Bas", "Martijn", "Hendrik", "Willem", "Mohamed", "Ahmed", "Mehmet",
	"Koen", "Thomas", "Rick", "Jeroen", "Maarten", "Floris", "Teun", "Mats", "Siem"};
static const char *const female[] = {
	"Emma", "Julia", "Sophie", "Tess", "Mila", "Sara", "Anna", "Noor", "Fleur", "Lotte",
	"Sanne", "Femke", "Iris", "Roos", "Eva", "Lieke", "Anouk", "Marloes", "Charlotte",
	"Yara", "Nina", "Ilse", "Esther", "Marieke", "Annelies", "Fatima", "Amira", "Elif",
	"Lisa", "Maud", "Floor", "Jasmijn", "Hanna", "Linde", "Evi", "Saskia"};
static const char *const diverse[] = {"Sam", "Robin", "Kim", "Alex", "Charlie", "Noa"};

static const struct gen_surname surnames[] = {
	{"", "Jansen"}, {"de", "Vries"}, {"van den", "Berg"}, {"van", "Dijk"}, {"", "Bakker"},
	{"", "Janssen"}, {"", "Visser"}, {"", "Smit"}, {"", "Meijer"}, {"de", "Boer"},
	{"", "Mulder"}, {"de", "Groot"}, {"", "Bos"}, {"", "Vos"}, {"", "Peters"},
	{"", "Hendriks"}, {"van", "Leeuwen"}, {"", "Dekker"}, {"", "Brouwer"}, {"de", "Wit"},
	{"", "Dijkstra"}, {"", "Smits"}, {"de", "Graaf"}, {"van der", "Meer"},
	{"van der", "Linden"}, {"", "Kok"}, {"", "Jacobs"}, {"de", "Haan"}, {"", "Vermeulen"},
	{"van den", "Heuvel"}, {"van der", "Veen"}, {"van den", "Broek"}, {"de", "Bruijn"},
	{"de", "Lange"}, {"", "Schouten"}, {"van", "Beek"}, {"", "Willems"}, {"van", "Vliet"},
	{"", "Hoekstra"}, {"", "Maas"}, {"", "Verhoeven"}, {"", "Koster"}, {"van", "Dam"},
	{"van der", "Wal"}, {"", "Prins"}, {"", "Blom"}, {"", "Huisman"}, {"de", "Jong"},
	{"", "Kuipers"}, {"van", "Wijk"}, {"", "Post"}, {"", "Kramer"}, {"van den", "Bosch"},
	{"", "Timmermans"}, {"", "Yilmaz"}, {"", "El Amrani"}, {"", "Bouzid"}, {"ter", "Horst"},
	{"in 't", "Veld"}, {"van 't", "Hof"}};

static const char *const streets[] = {
	"Dorpsstraat", "Kerkstraat", "Molenweg", "Stationsweg", "Schoolstraat", "Julianastraat",
	"Wilhelminastraat", "Beatrixlaan", "Nieuwstraat", "Hoofdstraat", "Marktstraat",
	"Prinses Irenestraat", "Parallelweg", "Industrieweg", "Sportlaan", "Eikenlaan",
	"Beukenlaan", "Lindenlaan", "Populierenlaan", "Oranjestraat", "Emmastraat",
	"Burgemeester Smitstraat", "Kastanjelaan", "Nassaulaan", "Van Goghstraat", "Rembrandtlaan",
	"Tulpstraat", "Merelstraat", "Zuiderweg", "Havenstraat"};

static const struct gen_city cities[] = {
	{"Amsterdam", 10}, {"Rotterdam", 30}, {"Utrecht", 35}, {"Den Haag", 25}, {"Eindhoven", 56},
	{"Groningen", 97}, {"Tilburg", 50}, {"Almere", 13}, {"Breda", 48}, {"Nijmegen", 65},
	{"Haarlem", 20}, {"Arnhem", 68}, {"Zwolle", 80}, {"Leiden", 23}, {"Maastricht", 62},
	{"Amersfoort", 38}, {"Apeldoorn", 73}, {"Enschede", 75}, {"Delft", 26}, {"Leeuwarden", 89},
	{"'s-Hertogenbosch", 52}, {"Zaandam", 15}, {"Hilversum", 12}, {"Deventer", 74}};

static const char *const banks[] = {"ABNA", "RABO", "INGB", "SNSB", "ASNB", "TRIO", "KNAB", "BUNQ"};
static const char *const additions[] = {"A", "B", "C", "1", "2", "bis", "H"};
static const int hours_opts[] = {40, 40, 40, 40, 40, 40, 36, 36, 32, 32, 24};

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))
#define PICK(s, a) (a[rnd(s, (uint32_t)N_OF(a))])

/* ------------------------------------------------------------- people */

/* In the bureau month (r->month > 0) the base snapshot holds nothing dated after month 1
 * except hire dates and recurring items known in advance: later raises and one-time payments
 * come from the monthly changes instead. */
static void add(const struct gen_run *r, struct gen_person *p, int later, const char *tid, const char *tname,
		const char *cat, long long cents, const char *interval, long from, long to, int hours)
{
	if (r->month && later && from > gen_last_of_month(r->start, 0))
		return;
	if (p->ncomp >= GEN_MAXCOMP)
		return;
	p->comp[p->ncomp] = (struct gen_comp){p->ncomp + 1, tid, tname, cat, interval, cents, from, to, hours};
	p->ncomp++;
}

/* One person; force_hire >= 0 makes a monthly new hire, active from that day. */
static void person_core(const struct gen_run *r, unsigned ci, unsigned long i, uint32_t idseed, long force_hire,
			struct gen_person *p)
{
	uint64_t st = r->seed * 0xD1342543DE82EF95ULL ^ ((uint64_t)ci << 40) ^ i;
	gen_next(&st); /* decorrelate neighbouring streams */
	const long start = r->start;
	memset(p, 0, sizeof *p);
	p->pid = 1000 + i;
	p->number = i;

	/* Identity */
	unsigned g = rnd(&st, 100);
	p->gender = g < 49 ? "male" : g < 98 ? "female" : "diverse";
	p->first = g < 49 ? PICK(&st, male) : g < 98 ? PICK(&st, female) : PICK(&st, diverse);
	p->sn = &surnames[rnd(&st, (uint32_t)N_OF(surnames))];
	if (rnd(&st, 4) == 0)
		snprintf(p->initials, sizeof p->initials, "%c.%c.", p->first[0], "ABCDEFGHIJKLMNOPRSTW"[rnd(&st, 20)]);
	else
		snprintf(p->initials, sizeof p->initials, "%c.", p->first[0]);

	/* Employment: status, hire and termination dates */
	unsigned s = rnd(&st, 100);
	p->status = "active";
	p->term = -1;
	if (s < 3) { /* onboarding: starts 10-12 months on */
		p->status = "onboarding";
		p->hire = gen_first_of_month(start, 10 + (int)rnd(&st, 3));
	} else if (s < 9) { /* new hire this year */
		p->hire = start + 1 + (long)rnd(&st, 240);
	} else { /* employed before the start date */
		p->hire = start - 30 - (long)rnd(&st, 15 * 365);
		if (s < 12) { /* inactive: left during the year */
			p->status = "inactive";
			p->term = gen_last_of_month(start, (int)rnd(&st, 6));
		}
	}
	if (force_hire >= 0) {
		p->status = "active";
		p->hire = force_hire;
		p->term = -1;
	}
	p->hours = hours_opts[rnd(&st, (uint32_t)N_OF(hours_opts))];
	int hy, hm, hd;
	lp_date_ymd((lp_date)p->hire, &hy, &hm, &hd);
	p->by = hy - 20 - (int)rnd(&st, 30);
	p->bm = 1 + (int)rnd(&st, 12);
	p->bd = 1 + (int)rnd(&st, 28);

	lp_nlid_bsn_make(idseed, p->bsn);
	lp_nlid_iban_make(PICK(&st, banks), idseed, p->iban);

	/* Address */
	p->city = &cities[rnd(&st, (uint32_t)N_OF(cities))];
	char l1 = (char)('A' + rnd(&st, 26)), l2 = (char)('A' + rnd(&st, 26));
	if (l1 == 'S' && (l2 == 'A' || l2 == 'D' || l2 == 'S'))
		l2 = 'T'; /* SA, SD, SS are never issued */
	snprintf(p->pc, sizeof p->pc, "%02d%02u %c%c", p->city->pc2, rnd(&st, 100), l1, l2);
	snprintf(p->house, sizeof p->house, "%u", 1 + rnd(&st, 250));
	p->addition = rnd(&st, 10) == 0 ? PICK(&st, additions) : "";
	p->street = PICK(&st, streets);
	snprintf(p->phone, sizeof p->phone, "+31 6 %08u", 10000000u + rnd(&st, 90000000u));

	/* Salary chain: the first salary starts on or before the start date
	 * (or on the hire date for later hires), so there is never a gap. */
	long hire = p->hire;
	long from = hire > start ? hire : gen_first_of_month(start, -(int)rnd(&st, 24));
	if (from < hire)
		from = hire;
	unsigned kind = rnd(&st, 100);
	long long cents;
	const char *tid, *tname, *cat, *interval;
	if (kind < 55) {
		tid = "salary", tname = "Salary", cat = "FIXED_SALARY", interval = "MONTHLY";
		cents = 220000 + 2500LL * rnd(&st, 213); /* 2200.00 .. 7500.00 */
	} else if (kind < 85) {
		tid = "salary", tname = "Salary", cat = "FIXED_SALARY", interval = "YEARLY";
		cents = 3000000 + 50000LL * rnd(&st, 131); /* 30000.00 .. 95000.00 */
	} else {
		tid = "hourly-salary", tname = "Hourly salary", cat = "HOURLY_SALARY", interval = "HOURLY";
		cents = 1327 + rnd(&st, 2174); /* 13.27 .. 35.00 */
	}
	add(r, p, 0, tid, tname, cat, cents, interval, from, -1, p->hours);
	if (rnd(&st, 10) < 3) { /* a raise later on */
		long when = gen_first_of_month(from > start ? from : start, 1 + (int)rnd(&st, 11));
		add(r, p, 1, tid, tname, cat, raise_cents(cents, 2 + (int)rnd(&st, 5)), interval, when, -1, p->hours);
	}

	/* About a third: one recurring compensation. */
	long base = hire > start ? hire : start;
	if (rnd(&st, 3) == 0) {
		long rfrom = gen_first_of_month(base, rnd(&st, 2) ? 0 : (int)rnd(&st, 3));
		if (rfrom < hire)
			rfrom = hire;
		long rto = rnd(&st, 4) == 0 ? gen_last_of_month(rfrom, 3 + (int)rnd(&st, 12)) : -1;
		unsigned t = rnd(&st, 10);
		if (t < 4)
			add(r, p, 0, "travel-allowance", "Travel allowance", "RECURRING", 2500 + 5LL * rnd(&st, 4501),
			    "MONTHLY", rfrom, rto, 0);
		else if (t < 6)
			add(r, p, 0, "phone-allowance", "Phone and internet allowance", "RECURRING", 3000, "MONTHLY", rfrom,
			    rto, 0);
		else if (t < 9)
			add(r, p, 0, "pension-contribution", "Pension contribution (employee part)", "RECURRING",
			    -(4000 + 10LL * rnd(&st, 1401)), "MONTHLY", rfrom, rto, 0);
		else
			add(r, p, 0, "gym-subsidy", "Gym subsidy", "RECURRING", 2500, "MONTHLY", rfrom, rto, 0);
	}

	/* About a third: one or two one-time payments within a year of base. */
	if (rnd(&st, 3) == 0) {
		int k = 1 + (int)rnd(&st, 2);
		for (int j = 0; j < k; j++) {
			long when = base + (long)rnd(&st, 365);
			unsigned t = rnd(&st, 10);
			long long amt = 5000 + rnd(&st, 245001); /* 50.00 .. 2500.00 */
			if (t < 6)
				add(r, p, 1, "performance-bonus", "Performance bonus", "BONUS", amt, NULL, when, -1, 0);
			else if (t < 9)
				add(r, p, 1, "referral-bonus", "Referral bonus", "ONE_TIME", amt, NULL, when, -1, 0);
			else
				add(r, p, 1, "gift-voucher", "Gift voucher", "ONE_TIME", 2500 + 2500LL * rnd(&st, 8), NULL, when,
				    -1, 0);
		}
	}
}

void gen_person(const struct gen_run *r, unsigned ci, unsigned long i, struct gen_person *p)
{
	/* identifiers: unique over the run while clients*employees <= 81 000 000 */
	uint32_t idseed = (uint32_t)(((uint64_t)(ci - 1) * r->employees + (i - 1) + (r->seed % LP_STEMS)) % LP_STEMS);
	person_core(r, ci, i, idseed, -1, p);
}

/* ------------------------------------------------------ monthly changes */

/* Shares per month, of the people employed (active, hired before the month, not left), in
 * 1/1000: salary change 30 (3%), one-time bonus 100 (10%), changed recurring allowance 20
 * (2%), leaver 5 (0.5%); exclusive, so a person has at most one event a month. New hires:
 * 10/1000 (1%) per employee slot of a client and month. */
#define SH_SALARY 30
#define SH_BONUS 100
#define SH_RECURRING 20
#define SH_LEAVER 5
#define SH_HIRE 10

static enum gen_event draw_event(const struct gen_run *r, unsigned ci, const struct gen_person *p, int m, uint64_t *st)
{
	long first = gen_first_of_month(r->start, m - 1);
	if (strcmp(p->status, "active") || p->hire >= first || (p->term >= 0 && p->term < first))
		return GEN_NONE;
	*st = (r->seed + 0x6D6F6E7468ULL) * 0xD1342543DE82EF95ULL ^ ((uint64_t)ci << 40) ^ ((uint64_t)m << 34) ^ p->pid;
	gen_next(st);
	unsigned x = rnd(st, 1000);
	if (x < SH_SALARY)
		return GEN_SALARY;
	if (x < SH_SALARY + SH_BONUS)
		return GEN_BONUS;
	if (x < SH_SALARY + SH_BONUS + SH_RECURRING)
		return GEN_RECURRING;
	if (x < SH_SALARY + SH_BONUS + SH_RECURRING + SH_LEAVER)
		return GEN_LEAVER;
	return GEN_NONE;
}

enum gen_event gen_month_event(const struct gen_run *r, unsigned ci, const struct gen_person *p, int m)
{
	uint64_t st;
	return draw_event(r, ci, p, m, &st);
}

static void apply_event(const struct gen_run *r, struct gen_person *p, int m, enum gen_event ev, uint64_t *st)
{
	long first = gen_first_of_month(r->start, m - 1);
	const struct gen_comp *last = NULL;
	struct gen_comp *open = NULL;
	for (int k = 0; k < p->ncomp; k++) {
		struct gen_comp *c = &p->comp[k];
		if (!strcmp(c->category, "FIXED_SALARY") || !strcmp(c->category, "HOURLY_SALARY")) {
			if (!last || c->from >= last->from)
				last = c;
		} else if (!strcmp(c->category, "RECURRING") && c->from < first && (c->to < 0 || c->to >= first)) {
			open = c;
		}
	}
	switch (ev) {
	case GEN_SALARY:
		if (last)
			add(r, p, 0, last->type_id, last->type_name, last->category, raise_cents(last->cents, 2 + (int)rnd(st, 5)),
			    last->interval, first, -1, p->hours);
		break;
	case GEN_BONUS:
		add(r, p, 0, "performance-bonus", "Performance bonus", "BONUS", 5000 + rnd(st, 245001), NULL,
		    first + (long)rnd(st, 28), -1, 0);
		break;
	case GEN_RECURRING:
		if (open) { /* ends the month before; the same type goes on at a new amount */
			long long d = 500 + 5LL * rnd(st, 901); /* 5.00 .. 50.00 more */
			long long cents = open->cents < 0 ? open->cents - d : open->cents + d;
			open->to = first - 1;
			struct gen_comp o = *open;
			add(r, p, 0, o.type_id, o.type_name, o.category, cents, o.interval, first, -1, 0);
		} else {
			add(r, p, 0, "travel-allowance", "Travel allowance", "RECURRING", 2500 + 5LL * rnd(st, 4501), "MONTHLY",
			    first, -1, 0);
		}
		break;
	case GEN_LEAVER:
		p->term = gen_last_of_month(first, 0);
		break;
	case GEN_NONE:
		break;
	}
}

void gen_person_months(const struct gen_run *r, unsigned ci, struct gen_person *p)
{
	for (int m = 2; m <= r->month; m++) {
		uint64_t st;
		enum gen_event ev = draw_event(r, ci, p, m, &st);
		if (ev != GEN_NONE)
			apply_event(r, p, m, ev, &st);
	}
	/* as of month K, a leaver whose last day has passed is inactive in Personio */
	if (r->month && !strcmp(p->status, "active") && p->term >= 0 && p->term < gen_as_of(r, r->month))
		p->status = "inactive";
}

int gen_new_hire(const struct gen_run *r, unsigned ci, unsigned j, struct gen_person *p)
{
	unsigned seen = 0;
	if (j > r->employees) /* room for M new hires per client (ids and BSNs) */
		return 0;
	for (int m = 2; m <= r->month; m++) {
		uint64_t st = (r->seed + 0x68697265ULL) * 0xD1342543DE82EF95ULL ^ ((uint64_t)ci << 40) ^ (uint64_t)m;
		gen_next(&st);
		for (unsigned long s = 0; s < r->employees; s++) {
			if (rnd(&st, 1000) >= SH_HIRE || ++seen < j)
				continue;
			uint32_t idseed = (uint32_t)(((uint64_t)r->clients * r->employees + (uint64_t)(ci - 1) * r->employees +
						      (j - 1) + (r->seed % LP_STEMS)) % LP_STEMS);
			person_core(r, ci, r->employees + j, idseed, gen_first_of_month(r->start, m - 1), p);
			p->new_hire = m;
			gen_person_months(r, ci, p);
			return 1;
		}
	}
	return 0;
}
