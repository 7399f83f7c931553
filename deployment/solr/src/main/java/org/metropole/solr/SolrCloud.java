package org.metropole.solr;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.solr.client.solrj.request.CollectionAdminRequest;
import org.apache.solr.cloud.MiniSolrCloudCluster;
import org.apache.solr.cloud.ZkTestServer;
import org.apache.solr.embedded.JettyConfig;

/**
 * A SolrCloud on loopback for the portal's tests and local trials: an embedded
 * ZooKeeper, one Solr node per port, the configset uploaded and one collection
 * created, then a ready file holding the collection's URL. SIGTERM (or Ctrl-C)
 * stops the nodes, then ZooKeeper, and removes the ready file.
 *
 * <p>Arguments (all given by the Makefile, see its solr-up target):
 * {@code stateDir configsetDir collection shards replicas zkPort port...}
 */
public final class SolrCloud {
  private static final int WAIT_SECONDS = 120;

  private SolrCloud() {}

  public static void main(String[] args) throws Exception {
    if (args.length < 6) {
      System.err.println(
          "usage: SolrCloud STATE_DIR CONFIGSET_DIR COLLECTION SHARDS REPLICAS ZK_PORT PORT...");
      System.exit(2);
    }
    Path state = Path.of(args[0]).toAbsolutePath();
    Path configset = Path.of(args[1]).toAbsolutePath();
    String collection = args[2];
    int shards = Integer.parseInt(args[3]);
    int replicas = Integer.parseInt(args[4]);
    int zkPort = Integer.parseInt(args[5]);
    List<Integer> ports = new ArrayList<>();
    for (int i = 6; i < args.length; i++) {
      ports.add(Integer.parseInt(args[i]));
    }
    Path ready = state.resolve("ready");
    Files.deleteIfExists(ready);

    ZkTestServer zk = new ZkTestServer(state.resolve("zookeeper"), zkPort);
    zk.run();
    // No nodes from the constructor: it would give every node the same port.
    MiniSolrCloudCluster cluster =
        new MiniSolrCloudCluster(
            0, state.resolve("nodes"), MiniSolrCloudCluster.DEFAULT_CLOUD_SOLR_XML,
            JettyConfig.builder().build(), zk, true);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  try {
                    Files.deleteIfExists(ready);
                    cluster.shutdown(); // the nodes, then the ZooKeeper we passed in
                  } catch (Exception e) {
                    e.printStackTrace();
                  } finally {
                    stopped.countDown();
                  }
                }));

    try {
      start(cluster, ports, configset, collection, shards, replicas, ready);
    } catch (Exception e) {
      // The nodes' threads would keep the JVM alive: exit, and the hook stops them.
      e.printStackTrace();
      System.exit(1);
    }
    stopped.await();
  }

  private static void start(MiniSolrCloudCluster cluster, List<Integer> ports, Path configset,
      String collection, int shards, int replicas, Path ready) throws Exception {
    for (int port : ports) {
      JettyConfig node = JettyConfig.builder().setPort(port).stopAtShutdown(false).build();
      cluster.startJettySolrRunner("node-" + port, "/solr", node);
    }
    cluster.waitForAllNodes(WAIT_SECONDS);
    cluster.uploadConfigSet(configset, collection);
    CollectionAdminRequest.createCollection(collection, collection, shards, replicas)
        .process(cluster.getSolrClient());
    cluster.waitForActiveCollection(collection, WAIT_SECONDS, TimeUnit.SECONDS, shards,
        shards * replicas);

    String url = "http://127.0.0.1:" + ports.get(0) + "/solr/" + collection;
    Files.writeString(ready, url + "\n", StandardCharsets.UTF_8);
    System.out.println("SolrCloud ready: " + url);
  }
}
