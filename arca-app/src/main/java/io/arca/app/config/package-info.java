/**
 * {@code arca.yaml}: repositories, subjects, schedules, objectives, notifications and the server's
 * settings, as records ({@link io.arca.app.config.ArcaConfig}). {@link io.arca.app.config.ConfigLoader}
 * reads the file, validates it against the JSON Schema published as {@code docs/arca.schema.json}
 * (the class path resource {@code arca.schema.json} beside these classes is its one source) and
 * checks what a schema cannot, reporting every error with its {@code FILE:LINE:COLUMN} and
 * property path. Flags win over {@code ARCA_*} environment variables, which win over the file.
 * {@link io.arca.app.config.CronSchedule} evaluates the schedules in their time zones.
 */
package io.arca.app.config;
