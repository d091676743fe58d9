/**
 * Work around a restore or a backup that is not a source's: the user's own commands
 * ({@link io.arca.core.hook.CommandHook}, {@code --pre-hook}/{@code --post-hook}: "docker compose
 * stop backend"), a wait for the application to answer its health URL
 * ({@link io.arca.core.hook.HealthCheck}, {@code --health-url}), and {@link
 * io.arca.core.hook.Hooks}, which runs a list of {@link io.arca.core.source.Hook}s (these and the
 * sources' own, such as Kubernetes scale-down) around a piece of work so that whatever was
 * stopped is started again, also when the work failed.
 */
package io.arca.core.hook;
