/* libical-expand — the libical peer of Ferry's recurrence expansion (Benchmarks/peers/calendar/expand).
 *
 *   libical-expand FILE START END     START/END as 20240101T000000Z
 *
 * Parses FILE, and for every VEVENT with an RRULE walks icalrecur_iterator from DTSTART up to END,
 * dropping EXDATEs and the occurrences a RECURRENCE-ID override replaces (overrides themselves count
 * once when they fall in the range). Prints one JSON line with the number of instances in [START, END). */
#include <libical/ical.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct { char uid[128]; struct icaltimetype when; } override_t;

int main(int argc, char **argv) {
    if (argc != 4) { fprintf(stderr, "usage: libical-expand FILE START END\n"); return 2; }
    FILE *f = fopen(argv[1], "rb");
    if (!f) { perror(argv[1]); return 2; }
    fseek(f, 0, SEEK_END); long n = ftell(f); fseek(f, 0, SEEK_SET);
    char *buf = malloc(n + 1);
    if (fread(buf, 1, n, f) != (size_t)n) { perror(argv[1]); return 2; }
    fclose(f); buf[n] = 0;
    struct icaltimetype start = icaltime_from_string(argv[2]), end = icaltime_from_string(argv[3]);
    icalcomponent *cal = icalparser_parse_string(buf);
    free(buf);
    if (!cal) { fprintf(stderr, "not parsed\n"); return 1; }
    /* Overrides first: (UID, RECURRENCE-ID) pairs. */
    size_t no = 0, cap = 1024;
    override_t *ov = malloc(cap * sizeof *ov);
    long instances = 0;
    for (icalcomponent *c = icalcomponent_get_first_component(cal, ICAL_VEVENT_COMPONENT); c;
         c = icalcomponent_get_next_component(cal, ICAL_VEVENT_COMPONENT)) {
        icalproperty *rid = icalcomponent_get_first_property(c, ICAL_RECURRENCEID_PROPERTY);
        if (!rid) continue;
        if (no == cap) { cap *= 2; ov = realloc(ov, cap * sizeof *ov); }
        strncpy(ov[no].uid, icalcomponent_get_uid(c), sizeof ov[no].uid - 1);
        ov[no].uid[sizeof ov[no].uid - 1] = 0;
        ov[no].when = icalproperty_get_recurrenceid(rid);
        no++;
        struct icaltimetype s = icalcomponent_get_dtstart(c);
        if (icaltime_compare(s, start) >= 0 && icaltime_compare(s, end) < 0) instances++;
    }
    for (icalcomponent *c = icalcomponent_get_first_component(cal, ICAL_VEVENT_COMPONENT); c;
         c = icalcomponent_get_next_component(cal, ICAL_VEVENT_COMPONENT)) {
        if (icalcomponent_get_first_property(c, ICAL_RECURRENCEID_PROPERTY)) continue;
        icalproperty *rr = icalcomponent_get_first_property(c, ICAL_RRULE_PROPERTY);
        struct icaltimetype dtstart = icalcomponent_get_dtstart(c);
        if (!rr) {
            if (icaltime_compare(dtstart, start) >= 0 && icaltime_compare(dtstart, end) < 0) instances++;
            continue;
        }
        const char *uid = icalcomponent_get_uid(c);
        /* This series' overrides (few), so each occurrence is checked against them only. */
        struct icaltimetype mine[64];
        size_t nm = 0;
        for (size_t i = 0; i < no && nm < 64; i++)
            if (strcmp(ov[i].uid, uid) == 0) mine[nm++] = ov[i].when;
        struct icalrecurrencetype recur = icalproperty_get_rrule(rr);
        icalrecur_iterator *it = icalrecur_iterator_new(recur, dtstart);
        for (struct icaltimetype t = icalrecur_iterator_next(it); !icaltime_is_null_time(t); t = icalrecur_iterator_next(it)) {
            if (icaltime_compare(t, end) >= 0) break;
            if (icaltime_compare(t, start) < 0) continue;
            int skip = 0;
            for (icalproperty *x = icalcomponent_get_first_property(c, ICAL_EXDATE_PROPERTY); x && !skip;
                 x = icalcomponent_get_next_property(c, ICAL_EXDATE_PROPERTY))
                if (icaltime_compare(icalproperty_get_exdate(x), t) == 0) skip = 1;
            for (size_t i = 0; i < nm && !skip; i++)
                if (icaltime_compare(mine[i], t) == 0) skip = 1;
            if (!skip) instances++;
        }
        icalrecur_iterator_free(it);
    }
    printf("{\"expander\":\"libical-%s\",\"instances\":%ld}\n", ICAL_VERSION, instances);
    icalcomponent_free(cal);
    free(ov);
    return 0;
}
