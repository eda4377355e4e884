#!/bin/sh
# Debian libraries that WeasyPrint (PDF) and the PDF checks use; pango itself is on the base image.
# - libharfbuzz-subset0: without it WeasyPrint falls back to a pure-Python font subsetter that takes
#   ~6 s per CJK font face (~25 s per report instead of <1 s).
# - poppler-utils: pdftotext / pdffonts / pdftoppm, used by tests and for looking at PDF pages.
# - chromium: the headless browser that checks the interactive (ECharts) maps draw offline
#   (tests/plots/test_interactive.py; under CI=true the test fails instead of skipping without it).
# - chromium-headless-shell: what prints the PDFs (same engine, pixel-identical pages, about half the
#   browser CPU per report of the full browser; reporting/chromium_pdf.py falls back to chromium).
# Installs only what is missing, and only where apt-get can run (root); otherwise says what to install.
set -u
missing=""
ldconfig -p 2>/dev/null | grep -q 'libharfbuzz-subset\.so' || missing="$missing libharfbuzz-subset0"
command -v pdftotext >/dev/null 2>&1 || missing="$missing poppler-utils"
ldconfig -p 2>/dev/null | grep -q 'libpango-1\.0\.so' || missing="$missing libpango-1.0-0 libpangoft2-1.0-0"
command -v chromium >/dev/null 2>&1 || missing="$missing chromium"
optional=""  # faster, not required: installed on its own, so a Debian without it still gets the rest
command -v chromium-headless-shell >/dev/null 2>&1 || optional="chromium-headless-shell"
[ -z "$missing" ] && [ -z "$optional" ] && exit 0
if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = "0" ]; then
  apt-get update -qq >/dev/null 2>&1
  if [ -n "$missing" ]; then
    echo "system-deps: installing$missing"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null 2>&1 \
      || echo "system-deps: WARNING: could not install$missing; PDFs will be slow or skipped, the browser test fails under CI"
  fi
  if [ -n "$optional" ]; then
    echo "system-deps: installing $optional (prints the PDFs with half the browser CPU)"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $optional >/dev/null 2>&1 \
      || echo "system-deps: note: $optional not available; PDFs are printed by chromium (same pages, slower)"
  fi
else
  [ -n "$missing" ] && echo "system-deps: please install$missing (e.g. sudo apt-get install$missing); HTML reports work without them"
  [ -n "$optional" ] && echo "system-deps: optional: apt-get install $optional (faster PDFs)"
fi
exit 0
