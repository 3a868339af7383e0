/* lp_config.h - the client configuration file (schemas/client-config.schema.json).
 *
 * One file per client: the Personio legal entity, the Loket payroll administration it is
 * linked to, the compensation start date and mapping, and the attribute map. Unknown keys
 * and wrong types are errors naming the file and the key path. Relative paths inside the
 * file are relative to the file's own directory.
 */
#ifndef LP_CONFIG_H
#define LP_CONFIG_H

#include <jansson.h>

#include "lp_date.h"
#include "lp_vec.h"

/* Logical person fields that come from Personio attributes. */
enum lp_attr {
	LP_A_FIRST_NAME, LP_A_LAST_NAME, LP_A_PREFERRED_NAME, LP_A_PREFIX, LP_A_INITIALS,
	LP_A_DATE_OF_BIRTH, LP_A_GENDER, LP_A_BSN, LP_A_IBAN, LP_A_EMAIL, LP_A_PHONE,
	LP_A_ADDRESS_LINE, LP_A_STREET, LP_A_HOUSE_NUMBER, LP_A_HOUSE_NUMBER_ADDITION,
	LP_A_POSTAL_CODE, LP_A_CITY, LP_A_COUNTRY, LP_A_STATUS, LP_A_LEGAL_ENTITY,
	LP_A_CONSIDER_NL_PAYROLL, LP_A_EMPLOYEE_NUMBER, LP_A_INCOME_NUMBER, LP_A_ENTRY_DATE,
	LP_A_TERMINATION_DATE, LP_A_WEEKLY_HOURS,
	LP_A__COUNT
};
extern const char *const lp_attr_names[LP_A__COUNT];

/* One entry of compensation.mapping: a Personio compensation type and the Loket payroll
 * component(s) it goes to. A plain key ("travel": 8042) sends every amount to that component
 * (payment == deduction); a pair ("correction": {"payment": 8042, "deduction": 8050}) routes
 * by sign: negative amounts to the deduction component, the others to the payment one (R1). */
typedef struct {
	const char *type_id;       /* points into the configuration's JSON */
	long long payment, deduction;
	int pair;
} lp_mapping;

/* journal.booking_date: the date an entry is booked on */
enum { LP_BOOK_PERIOD_END = 0, LP_BOOK_PERIOD_START, LP_BOOK_RUN_DATE };
extern const char *const lp_book_names[3]; /* "period_end", "period_start", "run_date" */

typedef struct {
	char *path;                /* as given */
	char *dir;                 /* its directory */
	char *client;
	struct {
		char *base_url;        /* default https://api.personio.de */
		char *credentials_file;/* absolute, or NULL: environment */
		char *app_id;          /* default LOKETPIPE */
		char *partner_id;      /* or NULL */
		char *legal_entity_id;
		int future_months;     /* default 2 */
		int page_size;         /* default 100 */
		char *token_cache;     /* Personio token cache (0600): personio.token_cache, else
					* "<directory of loket.token_file>/<client>.personio-token.json",
					* else NULL (no cache) */
		char *proxy;           /* personio.proxy: the proxy for https to Personio, or NULL:
					* none (http_proxy and the like are ignored; lp_http.h) */
	} personio;
	struct {
		char *base_url, *employer_id, *payroll_administration_id, *tax_id, *token_file;
		char *oauth_url;        /* default https://oauth.loket.nl */
		char *credentials_file; /* absolute, or NULL: environment */
		char *redirect_uri;
		char *lock_file;        /* the client's run lock (lp_lock): loket.lock_file, else
					 * "<directory of token_file>/<client>.lock", else NULL */
		long long client_number; /* -1 when absent */
		char *proxy;            /* loket.proxy: the proxy for https to Loket (API and OAuth),
					 * or NULL: none (the environment's proxy variables are ignored) */
	} loket;
	struct {
		lp_date start_date;
		int sync_salary, sync_recurring, sync_one_time; /* default 1 */
		json_t *mapping;        /* object: Personio type id -> component key or {payment, deduction} */
		lp_mapping *map;        /* the same, parsed, in file order */
		size_t nmap;
	} compensation;
	const char *attr[LP_A__COUNT]; /* Personio attribute key per field, or NULL */
	struct {                   /* payroll documents Loket -> Personio (DOC1); all optional */
		long long category_id; /* documents.category_id: the Personio category by id, -1 when absent */
		char *category;    /* documents.category: the category by name, or NULL (not both) */
		lp_date from;      /* documents.from: the first period shared; default compensation.start_date */
		char *dir;         /* documents.dir (absolute), else "<dir of loket.token_file>/<client>.documents",
				    * else NULL */
		char *title_payslip, *title_payslip_correction, *title_yearend, *title_yearend_corrected;
				   /* documents.titles.{payslip, payslip_correction, yearend, yearend_corrected}:
				    * templates with {year}, {period} (two digits) and {n}; defaults
				    * "Loonstrook {year}-{period}", "Loonstrook {year}-{period} correctie {n}",
				    * "Jaaropgaaf {year}", "Jaaropgaaf {year} gecorrigeerd {n}" */
	} documents;
	struct {                   /* hours to Loket (H1-H3, H5); all optional */
		json_t *codes;     /* hours.codes: hour code -> Loket payroll component number (H1) */
		char *default_code;/* hours.default_code: the code of an attendance without one */
		char *code_from;   /* hours.code_from: the Personio attendance field naming the code
				    * ("project", the default, or "none": every attendance is default_code) */
		json_t *do_not_import; /* hours.do_not_import: employee numbers left out (H2), array */
		int distribution_unit; /* hours.distribution_unit: the CSV's distribution unit column (H3; default 0) */
		int shift;         /* hours.shift: the shift (ploeg) of every row (default 1) */
		struct {           /* hours.csv: a timesheet CSV (hours-from-csv) */
			char *employee_number, *date, *hour_code, *hours; /* header names */
			char delimiter; /* ';' or ',', 0: either (from the header line) */
			char decimal;   /* ',' or '.', 0: either */
		} csv;
	} hours;
	struct {                   /* payroll journal entries Loket -> bookkeeping (J1, J2); all optional */
		char *journal_code;  /* journal.journal_code: the bookkeeping journal (dagboek), default "MEM";
				      * letters, digits, '-', '_', at most 20 */
		char *bookkeeping_administration; /* journal.bookkeeping_administration (J2), or NULL */
		int booking_date;    /* journal.booking_date: LP_BOOK_PERIOD_END (default), _PERIOD_START, _RUN_DATE */
		long long application_key; /* journal.application_key: Loket's key of the application that
					    * processed the results (the PATCH's application.key), -1: none */
		char *dir;           /* journal.dir (absolute), else "<dir of loket.token_file>/<client>.journal",
				      * else NULL: journal-export's ledger */
	} journal;
	char *audit_log;           /* absolute, or NULL: no audit log unless --audit */
	json_t *root;
} lp_config;

/* The Loket component a compensation of this Personio type goes to: for a pair, the
 * deduction component when deduction is set (a negative amount), else the payment one; for a
 * plain key, that key whatever the sign. -1 when the type is not mapped (K2). */
long long lp_config_component(const lp_config *c, const char *type_id, int deduction);

/* hours.codes: the Loket payroll component number an hour code goes to, or -1 when the code
 * is not mapped (H1: left out and reported). */
long long lp_config_hour_component(const lp_config *c, const char *code);
/* 1 when hours.do_not_import names this employee number (H2). */
int lp_config_hours_skip(const lp_config *c, long long employee_number);

/* Load and check. On error returns NULL after printing "PROG: FILE: key.path: problem". */
/* The title of a document in Personio: the year-end statement's template (yearend) or the
 * payslip's, the correction/corrected one when n > 0 ({n} = n), with {year} and {period}
 * (two digits, payslips) filled in. Caller frees. At most 255 bytes (Personio's limit): a
 * longer result is cut at a UTF-8 character boundary. */
char *lp_config_doc_title(const lp_config *c, int yearend, int n, int year, int period);
lp_config *lp_config_load(const char *path);
void lp_config_free(lp_config *c);

/* The configurations given with -c, indexed by client key (filters that read many clients). */
typedef struct {
	LP_VEC(lp_config *); /* v[0..n-1]: in the order given */
	struct lp_map *by_client;
} lp_configs;

/* Load one more; exits 4 when it does not load, its client is configured already, or (J2) it
 * links a bookkeeping administration (journal.bookkeeping_administration) to a payroll
 * administration that a configuration given before links already. */
void lp_configs_add(lp_configs *s, const char *path);
/* The configuration of a client; exits 4 naming where its records are when there is none. */
lp_config *lp_configs_for(const lp_configs *s, const char *client, const char *where);
void lp_configs_free(lp_configs *s);

#endif
