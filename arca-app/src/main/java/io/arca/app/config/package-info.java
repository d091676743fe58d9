/**
 * {@code arca.yaml}: repositories, subjects, schedules, objectives, notifications and the server's
 * settings, as records; loaded and validated against the JSON Schema published in
 * {@code docs/arca.schema.json}, with line-numbered errors. Flags win over {@code ARCA_*}
 * environment variables, which win over the file.
 */
package io.arca.app.config;
