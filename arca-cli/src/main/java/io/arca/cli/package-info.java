/**
 * The {@code arca} command line: one picocli command per class. This is the only package that
 * prints to stdout or ends the process; everything below reports through return values,
 * exceptions and {@link io.arca.core.Progress}.
 */
package io.arca.cli;
