// libxml2 for the feed reader. Debian's libxml2 is built with ICU, and its encoding.h then includes the
// system <unicode/ucnv.h>; in a Swift module that also sees Foundation's own ICU (_FoundationICU) the two
// UErrorCode definitions clash ("... is not present in definition of 'enum UErrorCode'"). Ferry never
// touches libxml2's ICU converter fields, so the header is read as if libxml2 had no ICU.
#include <libxml/xmlversion.h>
#undef LIBXML_ICU_ENABLED
#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/SAX2.h>
#include <libxml/xmlerror.h>
#include <libxml/HTMLparser.h>
