/** Runs of jobs: the run recorder that writes the job history, and the services the front ends call. */
package io.arca.app.job;
