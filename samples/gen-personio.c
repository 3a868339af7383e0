/* gen-personio - deterministic generator of synthetic Personio clients.
 *
 *   gen-personio --clients N --employees M [--seed S] [--start-date YYYY-MM-DD] --out DIR
 *
 * For each client genNNNN (N = 1..) it writes the Personio emulator fixtures
 * (doc/personio-fixtures.md)
 *     DIR/personio/genNNNN/{credentials.json,employees.json,
 *                           compensations.json,document-categories.json}
 * and a client configuration (schemas/client-config.schema.json)
 *     DIR/config/genNNNN.json
 *
 * Properties:
 *  - Deterministic: the same arguments give byte-identical files.  Every
 *    employee draws from its own PRNG stream, derived from (seed, client,
 *    employee), so employee k is the same whatever M is.
 *  - Streaming: one employee at a time is generated and written; memory use
 *    does not depend on M.
 *  - No floating point: amounts are integer cents, printed as "%lld.%02lld".
 *  - Valid data: every BSN passes the 11-proef, every IBAN mod-97, every
 *    postal code lp_nlid_postcode_valid; BSNs and IBAN account numbers are
 *    unique over the whole run while N*M <= 81 000 000.
 *  - The large files (employees, compensations) are written with fprintf and
 *    our own string escaping (jansson can only print numbers from doubles and
 *    building 100 000 employee trees is slow); the small ones with jansson.
 */
#include "lp_date.h"
#include "lp_money.h"
#include "lp_nlid.h"

#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <fcntl.h>
#include <unistd.h>

#define PROG "gen-personio"
#define VERSION "0.1.0"
#define LP_STEMS 81000000u   /* lp_nlid_*_make are injective below this */
#define DATEBUF 48           /* roomy: keeps -Wformat-truncation quiet at any -O */

/* ------------------------------------------------------------ helpers */

/* "gen-personio: message" and a newline on stderr */
static void vsay(const char *fmt, va_list ap)
{
    fprintf(stderr, PROG ": ");
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
}

static void die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsay(fmt, ap);
    va_end(ap);
    exit(1);
}

static void usage_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsay(fmt, ap);
    va_end(ap);
    fprintf(stderr, "Try '" PROG " --help'.\n");
    exit(2);
}

static void help(void)
{
    fputs("usage: " PROG " --clients N --employees M [--seed S] [--start-date YYYY-MM-DD] --out DIR\n"
          "\n"
          "Writes deterministic synthetic Personio clients gen0001, gen0002, ...:\n"
          "  DIR/personio/<client>/{credentials.json,employees.json,compensations.json,\n"
          "                         document-categories.json}   (personio-emu fixtures)\n"
          "  DIR/config/<client>.json                            (client configuration)\n"
          "\n"
          "  --clients N         number of clients (1..99999)\n"
          "  --employees M       employees per client (1..10000000)\n"
          "  --seed S            PRNG seed, unsigned integer (default 1)\n"
          "  --start-date DATE   compensation start date (default 2026-01-01)\n"
          "  --out DIR           output directory (created if missing)\n"
          "  --help, --version\n"
          "\n"
          "Same arguments give byte-identical output.\n", stdout);
}

/* splitmix64: tiny, fast, good enough for test data. */
static uint64_t sm_next(uint64_t *s)
{
    uint64_t z = (*s += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

/* Uniform-ish integer in [0, n). The modulo bias is irrelevant here. */
static uint32_t rnd(uint64_t *s, uint32_t n)
{
    return (uint32_t)(sm_next(s) % n);
}

/* --------------------------------------------------------------- dates */
/* Day numbers and ISO dates come from lib/lp_date. */

typedef struct { int y, m, d; } ymd;

static ymd civil_from_days(long z)
{
    ymd r;
    lp_date_ymd((lp_date)z, &r.y, &r.m, &r.d);
    return r;
}

static int weekday(long z) /* 0 = Sunday */
{
    return (int)(((z % 7) + 11) % 7);  /* 1970-01-01 was a Thursday */
}

/* First day of the month `months` after the month of day z. */
static long first_of_month(long z, int months)
{
    return lp_date_add_months(lp_date_month_start((lp_date)z), months);
}

static long last_of_month(long z, int months)
{
    return first_of_month(z, months + 1) - 1;
}

static void fmt_date(char out[DATEBUF], long z)
{
    lp_date_fmt((lp_date)z, out);
}

static long last_sunday(int y, int m)
{
    long z = lp_date_from_ymd(y, m, lp_date_days_in_month(y, m));
    return z - weekday(z);
}

/* Personio timestamp of local midnight in Europe/Amsterdam: CEST (+02:00)
 * from the day after the last Sunday of March up to and including the last
 * Sunday of October (the switches happen at 02:00/03:00, after midnight). */
static void fmt_stamp(char out[DATEBUF], long z)
{
    ymd c = civil_from_days(z);
    int summer = z > last_sunday(c.y, 3) && z <= last_sunday(c.y, 10);
    snprintf(out, DATEBUF, "%04d-%02d-%02dT00:00:00+0%d:00", c.y, c.m, c.d, summer ? 2 : 1);
}

static int parse_date(const char *s, long *z)
{
    lp_date d;
    if (lp_date_parse(s, &d))
        return -1;
    *z = d;
    return 0;
}

/* --------------------------------------------------------------- money */

static const char *fmt_cents(char out[32], long long c)
{
    return lp_money_fmt((lp_cents)c, out);
}

/* c * (100 + pct) / 100, half away from zero, in cents. */
static long long raise_cents(long long c, int pct)
{
    return (c * (100 + pct) + 50) / 100;
}

/* ---------------------------------------------------------- JSON output */

static void jstr(FILE *f, const char *s)
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

/* ,"key":{"label":..,"value":"..","type":..,"universal_id":..} */
static void attr(FILE *f, const char *key, const char *label, const char *value,
                 const char *type, const char *uid)
{
    fprintf(f, ",\"%s\":{\"label\":", key);
    jstr(f, label);
    fputs(",\"value\":", f);
    jstr(f, value);
    fprintf(f, ",\"type\":\"%s\",\"universal_id\":", type);
    jstr(f, uid);
    putc('}', f);
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

struct surname { const char *prefix, *name; };
static const struct surname surnames[] = {
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

struct city { const char *name; int pc2; /* first two postcode digits */ };
static const struct city cities[] = {
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

/* ------------------------------------------------------------ one client */

struct run {
    unsigned clients;
    unsigned long employees;
    uint64_t seed;
    long start;            /* compensation start date, days since epoch */
    const char *out;
};

struct comp_out {
    FILE *f;
    int first;             /* no item written yet */
    const char *entity;
};

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

static void comp_item(struct comp_out *co, unsigned long pid, int n, const char *type_id,
                      const char *type_name, const char *category, long long cents,
                      const char *interval, long from, long to, int hours)
{
    char a[32], df[DATEBUF], dt[DATEBUF];
    fmt_date(df, from);
    if (to >= 0)
        fmt_date(dt, to);
    fprintf(co->f, "%s{\"id\":\"cmp-%lu-%d\",\"person\":{\"id\":\"%lu\"},"
                   "\"legal_entity\":{\"id\":\"%s\"},"
                   "\"type\":{\"id\":\"%s\",\"name\":\"%s\",\"category\":\"%s\"},"
                   "\"amount\":{\"value\":%s,\"currency\":\"EUR\"},",
            co->first ? "" : ",\n", pid, n, pid, co->entity, type_id, type_name, category,
            fmt_cents(a, cents));
    if (interval)
        fprintf(co->f, "\"interval\":\"%s\",", interval);
    else
        fputs("\"interval\":null,", co->f);
    fprintf(co->f, "\"effective_from\":\"%s\",\"effective_to\":", df);
    if (to >= 0)
        fprintf(co->f, "\"%s\"", dt);
    else
        fputs("null", co->f);
    if (hours > 0)
        fprintf(co->f, ",\"weekly_working_hours\":%d,\"full_time_weekly_working_hours\":40", hours);
    fputc('}', co->f);
    co->first = 0;
}

static void gen_employee(const struct run *r, unsigned ci, unsigned long i, const char *client,
                         FILE *ef, struct comp_out *co, const char *entity_name)
{
    uint64_t st = r->seed * 0xD1342543DE82EF95ULL ^ ((uint64_t)ci << 40) ^ i;
    sm_next(&st);                            /* decorrelate neighbouring streams */
    const long start = r->start;
    const unsigned long pid = 1000 + i;

    /* Identity */
    unsigned g = rnd(&st, 100);
    const char *gender = g < 49 ? "male" : g < 98 ? "female" : "diverse";
    const char *first = g < 49 ? PICK(&st, male) : g < 98 ? PICK(&st, female) : PICK(&st, diverse);
    const struct surname *sn = &surnames[rnd(&st, (uint32_t)N_OF(surnames))];
    char initials[8];
    if (rnd(&st, 4) == 0)
        snprintf(initials, sizeof initials, "%c.%c.", first[0], "ABCDEFGHIJKLMNOPRSTW"[rnd(&st, 20)]);
    else
        snprintf(initials, sizeof initials, "%c.", first[0]);

    /* Employment: status, hire and termination dates */
    unsigned s = rnd(&st, 100);
    const char *status = "active";
    long hire, term = -1;
    if (s < 3) {                                  /* onboarding: starts 10-12 months on */
        status = "onboarding";
        hire = first_of_month(start, 10 + (int)rnd(&st, 3));
    } else if (s < 9) {                           /* new hire this year */
        hire = start + 1 + (long)rnd(&st, 240);
    } else {                                      /* employed before the start date */
        hire = start - 30 - (long)rnd(&st, 15 * 365);
        if (s < 12) {                             /* inactive: left during the year */
            status = "inactive";
            term = last_of_month(start, (int)rnd(&st, 6));
        }
    }
    int hours = hours_opts[rnd(&st, (uint32_t)N_OF(hours_opts))];
    ymd hc = civil_from_days(hire);
    int by = hc.y - 20 - (int)rnd(&st, 30), bm = 1 + (int)rnd(&st, 12), bd = 1 + (int)rnd(&st, 28);

    /* Identifiers: unique over the run while clients*employees <= 81 000 000 */
    uint32_t idseed = (uint32_t)(((uint64_t)(ci - 1) * r->employees + (i - 1)
                                  + (r->seed % LP_STEMS)) % LP_STEMS);
    char bsn[10], iban[19];
    lp_nlid_bsn_make(idseed, bsn);
    lp_nlid_iban_make(PICK(&st, banks), idseed, iban);

    /* Address */
    const struct city *c = &cities[rnd(&st, (uint32_t)N_OF(cities))];
    char pc[8];
    char l1 = (char)('A' + rnd(&st, 26)), l2 = (char)('A' + rnd(&st, 26));
    if (l1 == 'S' && (l2 == 'A' || l2 == 'D' || l2 == 'S'))
        l2 = 'T';                                 /* SA, SD, SS are never issued */
    snprintf(pc, sizeof pc, "%02d%02u %c%c", c->pc2, rnd(&st, 100), l1, l2);
    char house[8];
    snprintf(house, sizeof house, "%u", 1 + rnd(&st, 250));
    const char *addition = rnd(&st, 10) == 0 ? PICK(&st, additions) : "";
    const char *street = PICK(&st, streets);
    char phone[16];
    snprintf(phone, sizeof phone, "+31 6 %08u", 10000000u + rnd(&st, 90000000u));

    /* Write the employee */
    char buf[256], fn[40], ln[40], d1[DATEBUF], d2[DATEBUF], dob[DATEBUF], num[24];
    lower_ascii(fn, sizeof fn, first);
    snprintf(buf, sizeof buf, "%s%s", sn->prefix, sn->name);
    lower_ascii(ln, sizeof ln, buf);
    fmt_stamp(d1, hire);
    if (term >= 0)
        fmt_stamp(d2, term);
    snprintf(dob, sizeof dob, "%04d-%02d-%02d", by, bm, bd);

    fprintf(ef, "%s{\"type\":\"Employee\",\"attributes\":{"
                "\"id\":{\"label\":\"ID\",\"value\":%lu,\"type\":\"integer\",\"universal_id\":\"id\"}",
            i == 1 ? "" : ",\n", pid);
    attr(ef, "first_name", "First name", first, "standard", "first_name");
    attr(ef, "last_name", "Last name", sn->name, "standard", "last_name");
    attr(ef, "preferred_name", "Preferred name", "", "standard", "preferred_name");
    snprintf(buf, sizeof buf, "%s.%s.%lu@%s.example", fn, ln, pid, client);
    attr(ef, "email", "Email", buf, "standard", "email");
    attr(ef, "gender", "Gender", gender, "standard", "gender");
    attr(ef, "status", "Status", status, "standard", "status");
    attr(ef, "hire_date", "Hire date", d1, "date", "hire_date");
    attr(ef, "termination_date", "Termination date", term >= 0 ? d2 : NULL, "date", "termination_date");
    snprintf(num, sizeof num, "%d", hours);
    attr(ef, "weekly_working_hours", "Weekly hours", num, "standard", "weekly_working_hours");
    fprintf(ef, ",\"subcompany\":{\"label\":\"Subcompany\",\"value\":{\"type\":\"Subcompany\","
                "\"attributes\":{\"id\":%s,\"name\":", co->entity);
    jstr(ef, entity_name);
    fputs("}},\"type\":\"standard\",\"universal_id\":\"subcompany\"}", ef);
    snprintf(num, sizeof num, "%lu", i);
    attr(ef, "dynamic_1001", "Employee number (Loket)", num, "standard", NULL);
    attr(ef, "dynamic_1002", "Income number", "1", "standard", NULL);
    attr(ef, "dynamic_1003", "Consider in NL payroll", "Yes", "list", NULL);
    attr(ef, "dynamic_1004", "BSN", bsn, "standard", NULL);
    attr(ef, "dynamic_1005", "IBAN", iban, "standard", "iban");
    attr(ef, "dynamic_1006", "Date of birth", dob, "date", NULL);
    attr(ef, "dynamic_1007", "Initials", initials, "standard", NULL);
    attr(ef, "dynamic_1008", "Prefix", sn->prefix, "standard", NULL);
    attr(ef, "dynamic_1010", "Street", street, "standard", NULL);
    attr(ef, "dynamic_1011", "House number", house, "standard", NULL);
    attr(ef, "dynamic_1012", "House number addition", addition, "standard", NULL);
    attr(ef, "dynamic_1013", "Postal code", pc, "standard", NULL);
    attr(ef, "dynamic_1014", "City", c->name, "standard", NULL);
    attr(ef, "dynamic_1015", "Country", "NL", "standard", NULL);
    attr(ef, "dynamic_1016", "Phone", phone, "standard", NULL);
    fputs("}}", ef);

    /* Salary chain: the first salary starts on or before the start date
     * (or on the hire date for later hires), so there is never a gap. */
    int n = 0;
    long from = hire > start ? hire : first_of_month(start, -(int)rnd(&st, 24));
    if (from < hire)
        from = hire;
    unsigned kind = rnd(&st, 100);
    long long cents;
    const char *tid, *tname, *cat, *interval;
    if (kind < 55) {
        tid = "salary", tname = "Salary", cat = "FIXED_SALARY", interval = "MONTHLY";
        cents = 220000 + 2500LL * rnd(&st, 213);          /* 2200.00 .. 7500.00 */
    } else if (kind < 85) {
        tid = "salary", tname = "Salary", cat = "FIXED_SALARY", interval = "YEARLY";
        cents = 3000000 + 50000LL * rnd(&st, 131);        /* 30000.00 .. 95000.00 */
    } else {
        tid = "hourly-salary", tname = "Hourly salary", cat = "HOURLY_SALARY", interval = "HOURLY";
        cents = 1327 + rnd(&st, 2174);                    /* 13.27 .. 35.00 */
    }
    comp_item(co, pid, ++n, tid, tname, cat, cents, interval, from, -1, hours);
    if (rnd(&st, 10) < 3) {                               /* a raise later on */
        long when = first_of_month(from > start ? from : start, 1 + (int)rnd(&st, 11));
        comp_item(co, pid, ++n, tid, tname, cat, raise_cents(cents, 2 + (int)rnd(&st, 5)),
                  interval, when, -1, hours);
    }

    /* About a third: one recurring compensation. */
    long base = hire > start ? hire : start;
    if (rnd(&st, 3) == 0) {
        long rfrom = first_of_month(base, rnd(&st, 2) ? 0 : (int)rnd(&st, 3));
        if (rfrom < hire)
            rfrom = hire;
        long rto = rnd(&st, 4) == 0 ? last_of_month(rfrom, 3 + (int)rnd(&st, 12)) : -1;
        unsigned t = rnd(&st, 10);
        if (t < 4)
            comp_item(co, pid, ++n, "travel-allowance", "Travel allowance", "RECURRING",
                      2500 + 5LL * rnd(&st, 4501), "MONTHLY", rfrom, rto, 0);
        else if (t < 6)
            comp_item(co, pid, ++n, "phone-allowance", "Phone and internet allowance", "RECURRING",
                      3000, "MONTHLY", rfrom, rto, 0);
        else if (t < 9)
            comp_item(co, pid, ++n, "pension-contribution", "Pension contribution (employee part)",
                      "RECURRING", -(4000 + 10LL * rnd(&st, 1401)), "MONTHLY", rfrom, rto, 0);
        else
            comp_item(co, pid, ++n, "gym-subsidy", "Gym subsidy", "RECURRING",
                      2500, "MONTHLY", rfrom, rto, 0);
    }

    /* About a third: one or two one-time payments within a year of base. */
    if (rnd(&st, 3) == 0) {
        int k = 1 + (int)rnd(&st, 2);
        for (int j = 0; j < k; j++) {
            long when = base + (long)rnd(&st, 365);
            unsigned t = rnd(&st, 10);
            long long amt = 5000 + rnd(&st, 245001);      /* 50.00 .. 2500.00 */
            if (t < 6)
                comp_item(co, pid, ++n, "performance-bonus", "Performance bonus", "BONUS",
                          amt, NULL, when, -1, 0);
            else if (t < 9)
                comp_item(co, pid, ++n, "referral-bonus", "Referral bonus", "ONE_TIME",
                          amt, NULL, when, -1, 0);
            else
                comp_item(co, pid, ++n, "gift-voucher", "Gift voucher", "ONE_TIME",
                          2500 + 2500LL * rnd(&st, 8), NULL, when, -1, 0);
        }
    }
}

/* ----------------------------------------------------------- small files */

static void mkdir_p(const char *path)
{
    char tmp[4096];
    if (snprintf(tmp, sizeof tmp, "%s", path) >= (int)sizeof tmp)
        die("path too long: %s", path);
    for (char *p = tmp + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(tmp, 0755) != 0 && errno != EEXIST)
            die("%s: %s", tmp, strerror(errno));
        *p = '/';
    }
    if (mkdir(tmp, 0755) != 0 && errno != EEXIST)
        die("%s: %s", tmp, strerror(errno));
}

static FILE *open_out(const char *path, mode_t mode)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);
    if (fd < 0)
        die("%s: %s", path, strerror(errno));
    if (fchmod(fd, mode) != 0)                /* also when the file existed */
        die("%s: %s", path, strerror(errno));
    FILE *f = fdopen(fd, "w");
    if (f == NULL)
        die("%s: %s", path, strerror(errno));
    setvbuf(f, NULL, _IOFBF, 1 << 16);
    return f;
}

static void close_out(FILE *f, const char *path)
{
    if (ferror(f) | fclose(f))
        die("%s: write error", path);
}

static void dump_json(json_t *j, const char *path, mode_t mode)
{
    FILE *f = open_out(path, mode);
    if (json_dumpf(j, f, JSON_INDENT(2) | JSON_PRESERVE_ORDER) != 0 || fputc('\n', f) == EOF)
        die("%s: write error", path);
    close_out(f, path);
    json_decref(j);
}

/* Deterministic UUID-like string from a 64-bit state. */
static void fake_uuid(char out[37], uint64_t *st)
{
    uint64_t a = sm_next(st), b = sm_next(st);
    snprintf(out, 37, "%08" PRIx64 "-%04" PRIx64 "-4%03" PRIx64 "-%04" PRIx64 "-%012" PRIx64,
             a >> 32, (a >> 16) & 0xffff, a & 0xfff, (uint64_t)0x8000 | (b >> 48 & 0x3fff),
             b & (uint64_t)0xffffffffffff);
}

static void write_config(const struct run *r, unsigned ci, const char *client, const char *entity,
                         const char *path)
{
    uint64_t st = r->seed ^ 0xC0F16ULL ^ ((uint64_t)ci << 32);
    char emp_id[37], adm_id[37], start[DATEBUF], tax[16], cred[64], bsn[10];
    fake_uuid(emp_id, &st);
    fake_uuid(adm_id, &st);
    fmt_date(start, r->start);
    /* loonheffingennummer: a 9-digit fiscal number (same 11-proef as a BSN)
     * + "L01"; unique per client index. */
    lp_nlid_bsn_make(70000000u + ci, bsn);
    snprintf(tax, sizeof tax, "%sL01", bsn);
    snprintf(cred, sizeof cred, "../personio/%s/credentials.json", client);

    json_t *mapping = json_pack("{s:i,s:i,s:i,s:i,s:i,s:i}",
        "travel-allowance", 8042, "phone-allowance", 8043, "pension-contribution", 8055,
        "performance-bonus", 8101, "referral-bonus", 8102, "signing-bonus", 8103);
    json_t *attrs = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,"
                              "s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s}",
        "first_name", "first_name", "last_name", "last_name", "preferred_name", "preferred_name",
        "email", "email", "gender", "gender", "status", "status", "legal_entity", "subcompany",
        "entry_date", "hire_date", "termination_date", "termination_date",
        "weekly_hours", "weekly_working_hours", "employee_number", "dynamic_1001",
        "income_number", "dynamic_1002", "consider_nl_payroll", "dynamic_1003",
        "bsn", "dynamic_1004", "iban", "dynamic_1005", "date_of_birth", "dynamic_1006",
        "initials", "dynamic_1007", "prefix", "dynamic_1008", "street", "dynamic_1010",
        "house_number", "dynamic_1011", "house_number_addition", "dynamic_1012",
        "postal_code", "dynamic_1013", "city", "dynamic_1014", "country", "dynamic_1015",
        "phone", "dynamic_1016");
    json_t *cfg = json_pack("{s:s,s:{s:s,s:s},s:{s:s,s:s,s:i,s:s},s:{s:s,s:b,s:b,s:b,s:o},"
                            "s:o,s:{s:i}}",
        "client", client,
        "personio", "credentials_file", cred, "legal_entity_id", entity,
        "loket", "employer_id", emp_id, "payroll_administration_id", adm_id,
                 "client_number", (int)(10000 + ci), "tax_id", tax,
        "compensation", "start_date", start, "sync_salary", 1, "sync_recurring", 1,
                        "sync_one_time", 1, "mapping", mapping,
        "attributes", attrs,
        "documents", "category_id", 2);
    if (cfg == NULL)
        die("internal error: json_pack");
    dump_json(cfg, path, 0644);
}

static void write_client(const struct run *r, unsigned ci)
{
    char client[16], entity[16], entity_name[48], dir[4096], path[4200];
    snprintf(client, sizeof client, "gen%04u", ci);
    snprintf(entity, sizeof entity, "%u", 1000 + ci);
    snprintf(entity_name, sizeof entity_name, "Gen %04u Nederland B.V.", ci);
    snprintf(dir, sizeof dir, "%s/personio/%s", r->out, client);
    mkdir_p(dir);

    /* credentials: test values derived from the seed; mode 0600 like a real secret */
    uint64_t st = r->seed ^ 0x5EC7E7ULL ^ ((uint64_t)ci << 32);
    char secret[64];
    snprintf(secret, sizeof secret, "%s-secret-%016" PRIx64, client, sm_next(&st));
    char id[64];
    snprintf(id, sizeof id, "papi-%s-id", client);
    snprintf(path, sizeof path, "%s/credentials.json", dir);
    dump_json(json_pack("{s:s,s:s}", "client_id", id, "client_secret", secret), path, 0600);

    snprintf(path, sizeof path, "%s/document-categories.json", dir);
    dump_json(json_pack("[{s:i,s:s,s:{s:s}},{s:i,s:s,s:{s:s}},{s:i,s:s,s:{s:s}}]",
                        "id", 1, "type", "DocumentCategory", "attributes", "name", "Contracts",
                        "id", 2, "type", "DocumentCategory", "attributes", "name",
                        "Payslips and year-end statements (Loket)",
                        "id", 3, "type", "DocumentCategory", "attributes", "name", "Other documents"),
              path, 0644);

    char epath[4200], cpath[4200];
    snprintf(epath, sizeof epath, "%s/employees.json", dir);
    snprintf(cpath, sizeof cpath, "%s/compensations.json", dir);
    FILE *ef = open_out(epath, 0644);
    struct comp_out co = {open_out(cpath, 0644), 1, entity};
    fputs("[\n", ef);
    fputs("[\n", co.f);
    for (unsigned long i = 1; i <= r->employees; i++)
        gen_employee(r, ci, i, client, ef, &co, entity_name);
    fputs("\n]\n", ef);
    fputs(co.first ? "]\n" : "\n]\n", co.f);
    close_out(ef, epath);
    close_out(co.f, cpath);

    snprintf(dir, sizeof dir, "%s/config", r->out);
    mkdir_p(dir);
    snprintf(path, sizeof path, "%s/%s.json", dir, client);
    write_config(r, ci, client, entity, path);
}

/* ------------------------------------------------------------------ main */

static unsigned long long parse_uint(const char *opt, const char *s, unsigned long long max)
{
    char *end;
    if (s == NULL)
        usage_error("%s needs a value", opt);
    if (*s < '0' || *s > '9')
        usage_error("%s: not an unsigned integer: '%s'", opt, s);
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || *end || v > max)
        usage_error("%s: out of range or not a number: '%s' (max %llu)", opt, s, max);
    return v;
}

int main(int argc, char **argv)
{
    struct run r = {0, 0, 1, 0, NULL};
    int have_c = 0, have_e = 0;
    parse_date("2026-01-01", &r.start);

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
            help();
            return 0;
        }
        if (!strcmp(o, "--version")) {
            puts(PROG " " VERSION);
            return 0;
        }
        int takes = !strcmp(o, "--clients") || !strcmp(o, "--employees") || !strcmp(o, "--seed") ||
                    !strcmp(o, "--start-date") || !strcmp(o, "--out");
        if (!takes)
            usage_error("unknown argument '%s'", argv[a]);
        if (v == NULL) {
            if (a + 1 >= argc)
                usage_error("%s needs a value", o);
            v = argv[++a];
        }
        if (!strcmp(o, "--clients")) {
            r.clients = (unsigned)parse_uint(o, v, 99999);
            have_c = 1;
        } else if (!strcmp(o, "--employees")) {
            r.employees = (unsigned long)parse_uint(o, v, 10000000);
            have_e = 1;
        } else if (!strcmp(o, "--seed")) {
            r.seed = parse_uint(o, v, UINT64_MAX);
        } else if (!strcmp(o, "--start-date")) {
            if (parse_date(v, &r.start) != 0)
                usage_error("--start-date: not a valid YYYY-MM-DD date: '%s'", v);
        } else {
            if (*v == '\0')
                usage_error("--out: empty directory name");
            r.out = v;
        }
    }
    if (!have_c || r.clients < 1)
        usage_error("--clients N (N >= 1) is required");
    if (!have_e || r.employees < 1)
        usage_error("--employees M (M >= 1) is required");
    if (r.out == NULL)
        usage_error("--out DIR is required");

    mkdir_p(r.out);
    for (unsigned ci = 1; ci <= r.clients; ci++)
        write_client(&r, ci);
    return 0;
}
