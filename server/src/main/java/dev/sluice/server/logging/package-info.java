/**
 * How the server's log events are written: the JSON encoder behind {@code --log-format json}
 * (structured fields as JSON keys) and the text format's rendering of the same fields.
 */
package dev.sluice.server.logging;
