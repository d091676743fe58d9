/** The one JSON mapper of typed results, for {@code --output json} and the HTTP API alike. */
package io.arca.app.json;
