/**
 * A reference worker that speaks sandrun's asynchronous protocol ({@code POST /submit}, {@code GET
 * /status/{id}}, {@code GET /outputs/{id}/{path}}) and the pool's signed health challenge ({@code
 * GET /health?nonce=}), with its Ed25519 key kept in a file; for tests and demos. It runs no code:
 * a job waits, writes the files it is given and exits with the code it is given ({@link
 * dev.lbkit.services.pool.worker.JobSpec}).
 */
@NullMarked
package dev.lbkit.services.pool.worker;

import org.jspecify.annotations.NullMarked;
