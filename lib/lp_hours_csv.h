/* lp_hours_csv.h - the layout of the file Loket imports under Werkgever -> Collectieve
 * mutaties -> Importeren -> Variabele gegevens (helpdesk article 205729448; notes:
 * ../shared/reference/hours-journal-documents-batch-notes.md section 1a), in one place for the
 * program that writes it (hours-to-collective-mutations) and the emulator that imports it
 * (loket-emu's POST /__emu/import-variable-data). Macros only: the emulator does not link
 * liblp.
 *
 *   aanslnr;persnr;ploeg[;verdelingseenheid];COMPONENT;COMPONENT...   header (CRLF)
 *   12345;1;1[;1];7,75;...                                             one row per employment,
 *                                                                      shift (and distribution unit)
 * aanslnr: the payroll administration's clientNumber; persnr: the employment's payrollId
 * ("personeelsnummer verloning", not the employee number); ploeg: the shift number; the
 * component columns are Loket payroll component numbers (keys); values are decimal numbers
 * with a comma; an empty cell means no value. Separator ';', CRLF, ASCII only.
 */
#ifndef LP_HOURS_CSV_H
#define LP_HOURS_CSV_H

#define LP_HOURS_CSV_SEP ';'
#define LP_HOURS_CSV_CLIENT "aanslnr"
#define LP_HOURS_CSV_PERSNR "persnr"
#define LP_HOURS_CSV_SHIFT "ploeg"
/* The distribution unit column, after ploeg and before the components, when the import's
 * "distribution unit" is Yes. Its header token is UNCONFIRMED: a third-party summary of
 * Loket's manual names the column "verdelingseenheid"; Loket's own template (Collectief ->
 * Variabele gegevens -> Template voor importeren, "incl. verdelingseenheid") would settle it.
 * Its value is the distribution unit's code (distributionUnit.code); an empty cell: the
 * employment's own. */
#define LP_HOURS_CSV_DU "verdelingseenheid"

#endif
