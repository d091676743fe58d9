/**
 * Errors: one {@link io.arca.core.error.ErrorCode} enum with stable numbers and exit codes, and
 * {@link io.arca.core.error.ArcaException}, the one unchecked exception that carries a code, a
 * one-line message and a hint for the user.
 */
package io.arca.core.error;
