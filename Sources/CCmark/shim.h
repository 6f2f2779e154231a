// Headers for cmark. Imported only by Markdown.
#include <cmark.h>
