/** Off-site copies of existing backups into another repository ({@code arca copy}), recorded as {@code copy} runs. */
package io.arca.app.copy;
