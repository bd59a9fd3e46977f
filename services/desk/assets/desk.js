// The desk's own script: keyboard shortcuts and the live list. Everything
// else is htmx attributes in the pages; nothing here keeps state.
"use strict";
