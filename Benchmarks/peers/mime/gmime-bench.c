/* gmime-bench structure|decode MBOX — the GMime 3 side of Benchmarks/peers/mime.
 * structure: construct every message of the mbox (persistent stream: bodies stay in the file),
 *            read Subject and From decoded;
 * decode:    also write every leaf part's content through its transfer decoder to a null stream.
 * Build: cc -O2 gmime-bench.c $(pkg-config --cflags --libs gmime-3.0) -o gmime-bench */
#include <gmime/gmime.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>

static long long decoded = 0, parts = 0;

static void decode_part(GMimeObject *parent, GMimeObject *part, gpointer data) {
    (void) parent; (void) data;
    if (GMIME_IS_MESSAGE_PART(part)) {
        GMimeMessage *inner = g_mime_message_part_get_message((GMimeMessagePart *) part);
        if (inner) g_mime_message_foreach(inner, decode_part, NULL);
        return;
    }
    if (!GMIME_IS_PART(part)) return;
    GMimeDataWrapper *content = g_mime_part_get_content((GMimePart *) part);
    if (!content) return;
    GMimeStream *null = g_mime_stream_null_new();
    g_mime_data_wrapper_write_to_stream(content, null);
    decoded += (long long) ((GMimeStreamNull *) null)->written;
    parts++;
    g_object_unref(null);
}

int main(int argc, char **argv) {
    if (argc != 3 || (strcmp(argv[1], "structure") && strcmp(argv[1], "decode"))) {
        fprintf(stderr, "usage: gmime-bench structure|decode MBOX\n");
        return 2;
    }
    int decode = !strcmp(argv[1], "decode");
    g_mime_init();
    int fd = open(argv[2], O_RDONLY);
    if (fd < 0) { perror(argv[2]); return 2; }
    struct stat st;
    fstat(fd, &st);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    GMimeStream *stream = g_mime_stream_fs_new(fd);
    GMimeParser *parser = g_mime_parser_new_with_stream(stream);
    g_mime_parser_set_format(parser, GMIME_FORMAT_MBOX);
    g_mime_parser_set_persist_stream(parser, TRUE);
    long long messages = 0, header_chars = 0;
    while (!g_mime_parser_eos(parser)) {
        GMimeMessage *message = g_mime_parser_construct_message(parser, NULL);
        if (!message) break;
        messages++;
        const char *subject = g_mime_message_get_subject(message);
        if (subject) header_chars += g_utf8_strlen(subject, -1);
        InternetAddressList *from = g_mime_message_get_from(message);
        for (int i = 0; from && i < internet_address_list_length(from); i++) {
            InternetAddress *ia = internet_address_list_get_address(from, i);
            const char *name = internet_address_get_name(ia);
            if (name) header_chars += g_utf8_strlen(name, -1);
            if (INTERNET_ADDRESS_IS_MAILBOX(ia)) header_chars += strlen(internet_address_mailbox_get_addr((InternetAddressMailbox *) ia));
        }
        if (decode) g_mime_message_foreach(message, decode_part, NULL);
        g_object_unref(message);
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double seconds = (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
    printf("{\"parser\":\"gmime\",\"mode\":\"%s\",\"messages\":%lld,\"parts\":%lld,\"bytes\":%lld,\"seconds\":%.3f,"
           "\"mbps\":%.1f,\"decoded\":%lld,\"headerChars\":%lld}\n", argv[1], messages, parts, (long long) st.st_size,
           seconds, st.st_size / 1e6 / seconds, decoded, header_chars);
    g_object_unref(parser);
    g_object_unref(stream);
    g_mime_shutdown();
    return 0;
}
