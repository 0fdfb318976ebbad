#!/bin/sh
# scripts/gen-page.sh PAGE OUT.c — embeds vers serve's page (src/serve/page.html) in the
# binary as bytes (serve_page_html, serve_page_html_len): no file to install, nothing fetched.
set -e
in=$1; out=$2
{
  echo "/* generated from $in by scripts/gen-page.sh: do not edit */"
  echo "const unsigned char serve_page_html[] = {"
  od -An -v -tx1 "$in" | sed -e 's/ *\([0-9a-f][0-9a-f]\)/0x\1,/g'
  echo "0};"
  echo "const unsigned long serve_page_html_len = $(wc -c < "$in");"
} > "$out.tmp"
mv "$out.tmp" "$out"
