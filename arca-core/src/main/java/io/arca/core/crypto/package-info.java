/**
 * OpenPGP encryption of artifacts, compatible with {@code gpg} both ways: public-key and passphrase
 * keys ({@link io.arca.core.crypto.EncryptionKeys} to write, {@link io.arca.core.crypto.DecryptionKeys}
 * to read), the encrypting and decrypting streams, random access into Arca's own messages for
 * parallel restores ({@link io.arca.core.crypto.SeekableMessage}), and key generation.
 */
package io.arca.core.crypto;
