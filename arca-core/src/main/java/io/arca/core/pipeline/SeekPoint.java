package io.arca.core.pipeline;

import com.fasterxml.jackson.annotation.JsonAlias;

/**
 * A frame boundary inside an artifact: decoding may start at {@code encodedOffset} of the codec's
 * output and yields the plain bytes from {@code offset} on. Without encryption the codec's output
 * is what is stored; with it, it is the content of the OpenPGP message (what {@code gpg --decrypt}
 * prints), and the reader maps the offset into the message.
 *
 * @param label what starts here (for PostgreSQL archives {@code data:<dumpId>})
 * @param offset offset in the plain bytes
 * @param encodedOffset offset in the codec's output (named {@code storedOffset} before encryption existed)
 */
public record SeekPoint(String label, long offset, @JsonAlias("storedOffset") long encodedOffset) {
}
