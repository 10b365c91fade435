/**
 * The broker's store, the source of truth shared by every instance: one {@code sandboxes} table
 * (the seed's attributes), its migrations, and the conditional writes that make allocation
 * exclusive across instances. The same SQL runs on SQLite and PostgreSQL.
 */
@NullMarked
package dev.lbkit.services.broker.store;

import org.jspecify.annotations.NullMarked;
