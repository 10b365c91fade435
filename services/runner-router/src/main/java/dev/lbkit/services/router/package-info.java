/**
 * The runner router (seed 000) as a runnable program: {@code java -jar runner-router.jar --runners
 * URL ...}. See {@link dev.lbkit.services.router.RunnerRouter} for what it does and {@link
 * dev.lbkit.services.router.RouterMain} for its options; {@link
 * dev.lbkit.services.router.FakeRunner} is a sandbox runner for tests and the demo.
 */
@NullMarked
package dev.lbkit.services.router;

import org.jspecify.annotations.NullMarked;
