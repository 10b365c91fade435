/**
 * Key to node placement for lbkit: the consistent hash ring with virtual nodes and the stable
 * 64-bit key hash it stands on. Nothing here knows what a server is; nodes are any type with a
 * stable name.
 */
module dev.lbkit.hashing {
  requires com.dynatrace.hash4j;
  requires static transitive org.jspecify;

  exports dev.lbkit.hashing;
}
