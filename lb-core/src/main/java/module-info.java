/**
 * The lbkit balancing algorithms and the {@code Server} they pick: round robin, smooth weighted
 * round robin and least connections, all behind {@link dev.lbkit.core.ServerPicker}.
 */
module dev.lbkit.core {
  requires transitive dev.lbkit.hashing;
  requires static transitive org.jspecify;

  exports dev.lbkit.core;
}
