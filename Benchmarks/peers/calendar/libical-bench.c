/* libical-bench — the libical peer of `ferry validate` (Benchmarks/peers/calendar/run).
 *
 *   libical-bench PATH...   files, or directories walked for *.ics
 *
 * Each file is read whole, parsed with icalparser_parse_string (libical builds its component tree and
 * notes syntax errors as X-LIC-ERROR properties) and checked with icalrestriction_check (RFC 5545/5546
 * property restrictions) on every VCALENDAR. Prints one JSON line: files, bytes, top-level components
 * (the cross-check with Ferry's count), libical's error properties, restriction failures. */
#define _XOPEN_SOURCE 700
#include <ftw.h>
#include <libical/ical.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static long files, components, errors, restriction_failures;
static long long bytes;

static void check_calendar(icalcomponent *cal) {
    if (!icalrestriction_check(cal)) restriction_failures++;
    for (icalcomponent *c = icalcomponent_get_first_component(cal, ICAL_ANY_COMPONENT); c;
         c = icalcomponent_get_next_component(cal, ICAL_ANY_COMPONENT))
        components++;
    errors += icalcomponent_count_errors(cal);
}

static int one(const char *path) {
    FILE *f = fopen(path, "rb");
    if (!f) { perror(path); return 1; }
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc(n + 1);
    if (fread(buf, 1, n, f) != (size_t)n) { perror(path); fclose(f); free(buf); return 1; }
    fclose(f);
    buf[n] = 0;
    files++;
    bytes += n;
    icalcomponent *root = icalparser_parse_string(buf);
    free(buf);
    if (!root) { errors++; return 0; }
    if (icalcomponent_isa(root) == ICAL_VCALENDAR_COMPONENT) {
        check_calendar(root);
    } else {
        for (icalcomponent *c = icalcomponent_get_first_component(root, ICAL_VCALENDAR_COMPONENT); c;
             c = icalcomponent_get_next_component(root, ICAL_VCALENDAR_COMPONENT))
            check_calendar(c);
    }
    icalcomponent_free(root);
    return 0;
}

static int visit(const char *path, const struct stat *st, int type, struct FTW *ftw) {
    (void)st; (void)ftw;
    size_t len = strlen(path);
    if (type == FTW_F && len > 4 && strcmp(path + len - 4, ".ics") == 0) return one(path);
    return 0;
}

int main(int argc, char **argv) {
    for (int i = 1; i < argc; i++) {
        struct stat st;
        if (stat(argv[i], &st) != 0) { perror(argv[i]); return 2; }
        if (S_ISDIR(st.st_mode)) nftw(argv[i], visit, 32, FTW_PHYS);
        else one(argv[i]);
    }
    printf("{\"parser\":\"libical-%s\",\"files\":%ld,\"bytes\":%lld,\"components\":%ld,\"errors\":%ld,"
           "\"restriction_failures\":%ld}\n", ICAL_VERSION, files, bytes, components, errors, restriction_failures);
    return 0;
}
