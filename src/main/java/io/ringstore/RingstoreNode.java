package io.ringstore;

import io.ringstore.antientropy.AntiEntropyScheduler;
import io.ringstore.antientropy.AntiEntropyStatus;
import io.ringstore.antientropy.ExchangeSession;
import io.ringstore.antientropy.PartitionTrees;
import io.ringstore.antientropy.TreeShape;
import io.ringstore.client.RingstoreClient;
import io.ringstore.cluster.ClusterIdFile;
import io.ringstore.cluster.ClusterJoiner;
import io.ringstore.cluster.KnownMembers;
import io.ringstore.cluster.MembershipListener;
import io.ringstore.cluster.NodeAddress;
import io.ringstore.cluster.NodeUid;
import io.ringstore.cluster.RingView;
import io.ringstore.cluster.SettingsService;
import io.ringstore.config.NodeClock;
import io.ringstore.config.RingstoreSettings;
import io.ringstore.handoff.HintDirectory;
import io.ringstore.handoff.HintJournal;
import io.ringstore.handoff.HintManager;
import io.ringstore.handoff.HintSettings;
import io.ringstore.http.HttpGateway;
import io.ringstore.http.NodeReadiness;
import io.ringstore.http.ReplicaActivity;
import io.ringstore.http.StoreView;
import io.ringstore.replica.LocalObjectStore;
import io.ringstore.replica.LocalReplicas;
import io.ringstore.replica.RegionRegistration;
import io.ringstore.replica.ReplicaDirectory;
import io.ringstore.replica.ReplicaHost;
import io.ringstore.replica.ReplicaSharding;
import io.ringstore.replica.ReplicaStarter;
import io.ringstore.replica.ReplicaSync;
import io.ringstore.replica.TombstoneReaper;
import io.ringstore.replica.WritabilityProbe;
import io.ringstore.replica.WriteAdmission;
import io.ringstore.ring.Ring;
import io.ringstore.storage.DamageRepair;
import io.ringstore.storage.RocksDbSettings;
import io.ringstore.storage.RocksDbStorage;
import io.ringstore.storage.StorageCalls;
import io.ringstore.storage.StorageEngine;
import io.ringstore.transfer.DrainingMembers;
import io.ringstore.transfer.NodeLeave;
import io.ringstore.transfer.PartitionReclaimer;
import io.ringstore.transfer.PartitionSource;
import io.ringstore.transfer.PartitionTransfer;
import io.ringstore.transfer.ReclaimStats;
import io.ringstore.transfer.TransferTracker;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.cluster.Cluster;
import org.apache.pekko.stream.javadsl.Tcp;

/**
 * Wires one node inside an actor system: storage (data members), the ring view, replica sharding,
 * the request gateway and the HTTP gateway, and closes storage at shutdown after the entities
 * stopped. {@link Guardian} calls it at start-up; in-JVM cluster tests call it directly.
 */
public final class RingstoreNode {
  /** How often the node starts the replica entities it should host and does not yet. */
  private static final Duration EAGER_START_INTERVAL = Duration.ofSeconds(1);

  /**
   * Partitions whose entities it starts per round: a (re)joined node's transfers are paced, and
   * requests that need a shard allocated never queue behind many eager allocations at the shard
   * coordinator.
   */
  private static final int EAGER_START_PARTITIONS = 4;

  private final RingstoreClient client;
  private final ReplicaDirectory directory;
  private final NodeReadiness readiness;
  private final CompletionStage<Tcp.ServerBinding> binding;
  private final String name;
  private final AntiEntropyStatus antiEntropy;
  private final LocalObjectStore store;
  private final TransferTracker transfers;

  private RingstoreNode(
      RingstoreClient client,
      ReplicaDirectory directory,
      NodeReadiness readiness,
      CompletionStage<Tcp.ServerBinding> binding,
      String name,
      AntiEntropyStatus antiEntropy,
      LocalObjectStore store,
      TransferTracker transfers) {
    this.store = store;
    this.transfers = transfers;
    this.antiEntropy = antiEntropy;
    this.client = client;
    this.directory = directory;
    this.readiness = readiness;
    this.binding = binding;
    this.name = name;
  }

  /**
   * Starts a node that someone else joins to its cluster (a test, or Pekko's seed process): its
   * {@link ClusterJoiner} only answers probes and learns the cluster id; a refusal stops the actor
   * system.
   */
  public static RingstoreNode start(ActorSystem<?> system, RingstoreSettings settings) {
    return start(system, settings, ClusterJoiner.Mode.PASSIVE, reason -> system.terminate());
  }

  /**
   * Starts a node; {@code joinMode} says how it gets into its cluster ({@link ClusterJoiner}), and
   * {@code refuse} is called when it must not be in the cluster it found (another cluster's id).
   */
  public static RingstoreNode start(
      ActorSystem<?> system,
      RingstoreSettings settings,
      ClusterJoiner.Mode joinMode,
      Consumer<String> refuse) {
    return start(system, settings, joinMode, refuse, DamageRepair.Report.NONE);
  }

  /**
   * A data node's storage, opened and its anti-entropy trees rebuilt (a scan of every partition)
   * before the node's actors start, so that no actor thread waits for it: {@link Main} opens it
   * before it creates the actor system.
   */
  public record OpenedStorage(StorageEngine engine, PartitionTrees trees, long millis) {}

  /** Opens a data node's RocksDB and rebuilds its trees: blocking, call it off any actor. */
  public static OpenedStorage openStorage(RingstoreSettings settings) {
    long started = System.nanoTime();
    StorageEngine storage = openEngine(settings);
    PartitionTrees trees =
        PartitionTrees.rebuild(
            storage,
            settings.ring().partitions(),
            new TreeShape(settings.antiEntropy().treeSegments()));
    return new OpenedStorage(storage, trees, (System.nanoTime() - started) / 1_000_000);
  }

  /**
   * Starts a node whose data files were checked, and {@code repairs} repaired, by {@link
   * DataDirectoryCheck}; opens its storage on the calling thread (tests).
   */
  public static RingstoreNode start(
      ActorSystem<?> system,
      RingstoreSettings settings,
      ClusterJoiner.Mode joinMode,
      Consumer<String> refuse,
      DamageRepair.Report repairs) {
    return start(
        system,
        settings,
        joinMode,
        refuse,
        repairs,
        settings.holdsData() ? openStorage(settings) : null);
  }

  /**
   * Starts a node whose data files were checked, and {@code repairs} repaired, by {@link
   * DataDirectoryCheck}, on {@code opened} storage (null on a client member). A node whose RocksDB
   * lost data in a repair holds its readiness until every partition it replicates has synced with
   * the other replicas (DESIGN invariant 8).
   */
  public static RingstoreNode start(
      ActorSystem<?> system,
      RingstoreSettings settings,
      ClusterJoiner.Mode joinMode,
      Consumer<String> refuse,
      DamageRepair.Report repairs,
      OpenedStorage opened) {
    Cluster cluster = Cluster.get(Adapter.toClassic(system));
    String name = NodeAddress.of(cluster.selfAddress());
    DrainingMembers draining = new DrainingMembers(settings.transfers().drainTtl().toMillis());
    RingView ringView = new RingView(cluster, RingView.ringConfig(settings), draining::draining);
    NodeClock clock = settings.clock();
    LocalReplicas localReplicas = new LocalReplicas(clock::wallMillis);
    // set once sharding is up: replica entities (and their transfers) start only after that
    AtomicReference<PartitionTransfer.Host> transferHost = new AtomicReference<>();
    ReplicaHost host = null;
    TransferTracker tracker = null;
    LocalObjectStore store = null;
    PartitionTrees trees = null;
    StorageCalls storageCalls = null;
    ReclaimStats reclaims = new ReclaimStats();
    if (settings.holdsData()) {
      HttpGateway.warmUp(system);
      StorageEngine storage = opened.engine();
      CoordinatedShutdown.get(Adapter.toClassic(system))
          .addTask(
              CoordinatedShutdown.PhaseBeforeActorSystemTerminate(),
              "close-storage",
              () -> {
                storage.close();
                return CompletableFuture.completedFuture(Done.getInstance());
              });
      String uid = NodeUid.loadOrCreate(settings.dataDir());
      storageCalls =
          new StorageCalls(
              system
                  .dispatchers()
                  .lookup(DispatcherSelector.fromConfig("ringstore-storage-dispatcher")),
              settings.storage().maxCallsInFlight());
      store =
          new LocalObjectStore(
              storage,
              uid,
              new WriteAdmission.Limits(
                  settings.requests().maxSiblings(),
                  settings.requests().warnSiblings(),
                  settings.requests().maxObjectBytes()));
      trees = opened.trees();
      store.setListener(trees);
      tracker = new TransferTracker(name);
      host =
          new ReplicaHost(
              store,
              storageCalls,
              name,
              localReplicas,
              trees,
              transferFactory(transferHost, ringView, settings),
              tracker,
              clock);
      system.systemActorOf(
          PartitionSource.create(host, tracker, draining), "partition-source", Props.empty());
      system.systemActorOf(
          TombstoneReaper.create(
              store,
              storageCalls,
              settings.tombstones().gracePeriod(),
              settings.tombstones().reapInterval(),
              clock::wallMillis),
          "tombstone-reaper",
          Props.empty());
      if (settings.transfers().reclaim()) {
        system.systemActorOf(
            PartitionReclaimer.create(
                store,
                storageCalls,
                localReplicas,
                p -> replicatedHere(ringView.current(), name, p),
                settings.ring().partitions(),
                settings.transfers().sourceWindow(),
                settings.transfers().reclaimInterval(),
                clock::wallMillis,
                reclaims),
            "partition-reclaimer",
            Props.empty());
      }
      system
          .log()
          .info(
              "node {} (uid {}) stores its data in {} (write-ahead log fsync: {});"
                  + " anti-entropy trees built in {} ms",
              name,
              uid,
              settings.dataDir().toAbsolutePath(),
              walSyncDescription(settings.storage()),
              opened.millis());
    }
    if (settings.holdsData()) {
      startJoiner(system, settings, name, joinMode, refuse);
    }
    system.systemActorOf(
        MembershipListener.create(ringView, settings.holdsData() ? settings.dataDir() : null),
        "membership-listener",
        Props.empty());
    var region =
        ReplicaSharding.init(system, ringView, host, settings.transfers().maxSimultaneousMoves());
    ReplicaDirectory directory =
        ReplicaDirectory.ofSharding(
            system, ringView, localReplicas, settings.requests().directRoutes());
    HintDirectory hintDirectory = HintDirectory.start(system);
    RingstoreClient client = RingstoreClient.create(system, directory, settings, hintDirectory);
    if (settings.holdsData()) {
      // client members read the ring's shape and N, R, W from here (MemberStoreClient)
      system.systemActorOf(SettingsService.create(settings), SettingsService.NAME, Props.empty());
    }
    CompletableFuture<ActorRef<HintManager.Command>> hintManager = new CompletableFuture<>();
    AntiEntropyStatus antiEntropy = new AntiEntropyStatus();
    NodeReadiness readiness = new NodeReadiness(cluster);
    if (settings.holdsData()) {
      // a node never reports ready with hinted handoff off
      readiness.holdUntil(
          () -> hintManager.isDone() && !hintManager.isCompletedExceptionally(),
          () -> "hinted handoff started");
    }
    // ready only once a write at the default W to any key would be acknowledged (issue 16)
    WritabilityProbe.Progress writability = new WritabilityProbe.Progress();
    if (settings.holdsData()) {
      readiness.holdUntil(writability::writable, writability::waitingFor);
    }
    if (settings.holdsData() && repairs.storageLostData()) {
      holdUntilPartitionsSynced(system, readiness, ringView, name, tracker);
    }
    if (settings.holdsData()) {
      RegionRegistration.await(system, region)
          .thenRun(
              () -> {
                readiness.regionRegistered();
                system.log().info("replica region registered with the shard coordinator");
                // this node's replicas start (and catch up) now, not on their partitions' first
                // requests
                system.systemActorOf(
                    ReplicaStarter.create(
                        directory,
                        localReplicas,
                        name,
                        EAGER_START_INTERVAL,
                        EAGER_START_PARTITIONS),
                    "replica-starter",
                    Props.empty());
                system.systemActorOf(
                    WritabilityProbe.create(
                        directory,
                        name,
                        WritabilityProbe.Settings.of(settings.replication().w()),
                        writability),
                    "writability-probe",
                    Props.empty());
              });
    }
    // the HTTP gateway first: binding it is the slowest part of a start on a busy machine (a
    // restarted node is ready only once it serves), so the hint journal waits for it
    CompletionStage<Tcp.ServerBinding> binding =
        settings.holdsData()
            ? HttpGateway.start(
                system,
                settings,
                client,
                directory,
                readiness,
                antiEntropy,
                hintManager,
                new StoreView(store, storageCalls, repairs),
                ringView,
                system.systemActorOf(
                    NodeLeave.create(
                        name,
                        ringView::current,
                        draining,
                        directory,
                        localReplicas,
                        NodeLeave.Settings.of(settings.transfers())),
                    "leave",
                    Props.empty()),
                new ReplicaActivity(tracker, reclaims))
            : CompletableFuture.failedFuture(
                new IllegalStateException("client members serve no HTTP"));
    if (settings.holdsData()) {
      binding.whenComplete(
          (bound, bindFailure) ->
              HintJournal.createSchema(system)
                  .whenComplete(
                      (done, failure) -> {
                        if (failure != null) {
                          system
                              .log()
                              .error(
                                  "cannot create the hint journal's tables: {}",
                                  failure.toString());
                          hintManager.completeExceptionally(failure);
                        } else {
                          hintManager.complete(
                              system.systemActorOf(
                                  HintManager.create(
                                      directory,
                                      HintSettings.of(settings),
                                      clock::wallMillis,
                                      client.peerBytes()),
                                  "hint-manager",
                                  Props.empty()));
                        }
                      }));
    } else {
      hintManager.completeExceptionally(new IllegalStateException("client members hold no hints"));
    }
    ExchangeSession.Host exchangeHost =
        settings.holdsData()
            ? new ExchangeSession.Host(
                trees, store, storageCalls, name, directory, antiEntropy, client.peerBytes())
            : null;
    if (settings.holdsData()) {
      transferHost.set(
          new PartitionTransfer.Host(exchangeHost, tracker, ringView::reachableDataMembers));
    }
    if (settings.holdsData() && settings.antiEntropy().enabled()) {
      var ae = settings.antiEntropy();
      system.systemActorOf(
          AntiEntropyScheduler.create(
              exchangeHost,
              new ExchangeSession.Limits(
                  ae.maxSegmentsPerSession(),
                  ae.maxKeysPerSession(),
                  ae.keysInFlight(),
                  ae.sessionTimeout()),
              new AntiEntropyScheduler.Pace(ae.sessionsPerSecond(), ae.maxConcurrentSessions())),
          "anti-entropy",
          Props.empty());
    }
    return new RingstoreNode(
        client, directory, readiness, binding, name, antiEntropy, store, tracker);
  }

  /**
   * Every replica entity that starts on this node catches up through a {@link PartitionTransfer},
   * unless this node is the only data member (nobody else can have written anything).
   */
  /** Whether {@code node} replicates {@code partition}; true while it is not a ring member yet. */
  static boolean replicatedHere(Ring ring, String node, int partition) {
    return !ring.members().contains(node) || ring.replicas(partition).contains(node);
  }

  private static ReplicaSync transferFactory(
      AtomicReference<PartitionTransfer.Host> host, RingView ringView, RingstoreSettings settings) {
    PartitionTransfer.Settings transferSettings =
        PartitionTransfer.Settings.of(settings.transfers(), settings.antiEntropy());
    return (id, entity) -> {
      PartitionTransfer.Host h = host.get();
      if (h == null
          || (ringView.reachableDataMembers().size() <= 1
              && ringView.current().members().size() <= 1)) {
        return null;
      }
      return PartitionTransfer.create(id, entity, h, transferSettings);
    };
  }

  private static void startJoiner(
      ActorSystem<?> system,
      RingstoreSettings settings,
      String name,
      ClusterJoiner.Mode mode,
      Consumer<String> refuse) {
    Path dataDir = settings.dataDir();
    List<String> remembered = KnownMembers.load(dataDir);
    var c = settings.cluster();
    system.systemActorOf(
        ClusterJoiner.create(
            new ClusterJoiner.Plan(
                mode,
                name,
                dataDir,
                ClusterIdFile.load(dataDir).orElse(null),
                ClusterIdFile.hasHistory(dataDir),
                c.seedNodes(),
                remembered,
                c.probeInterval(),
                c.stableRounds()),
            refuse),
        ClusterJoiner.NAME,
        Props.empty());
  }

  /** {@code per-write}, {@code periodic every 1s} or {@code off}: for the start-up log line. */
  static String walSyncDescription(RingstoreSettings.StorageSettings storage) {
    return storage.sync().equals("periodic")
        ? "periodic every "
            + storage.syncInterval().toString().substring(2).toLowerCase(Locale.ROOT)
        : storage.sync();
  }

  private static StorageEngine openEngine(RingstoreSettings settings) {
    return RocksDbStorage.open(rocksDbSettings(settings));
  }

  static RocksDbSettings rocksDbSettings(RingstoreSettings settings) {
    RingstoreSettings.StorageSettings s = settings.storage();
    return new RocksDbSettings(
        settings.dataDir().resolve("rocksdb"), RocksDbSettings.WalSync.fromConfigName(s.sync()),
        s.syncInterval(), s.blockCacheBytes(),
        s.writeBufferBytes(), s.compression());
  }

  /**
   * A repaired node's readiness waits until every partition it replicates has had a transfer (a
   * copy from a previous host when there is one, then tree exchanges with the other replicas until
   * they agree) complete since this start; released once, it stays released.
   */
  private static void holdUntilPartitionsSynced(
      ActorSystem<?> system,
      NodeReadiness readiness,
      RingView ringView,
      String name,
      TransferTracker tracker) {
    AtomicBoolean released = new AtomicBoolean();
    readiness.holdUntil(
        () -> {
          if (!released.get() && partitionsSynced(ringView.current(), name, tracker.all())) {
            released.set(true);
            system
                .log()
                .info(
                    "repaired node: every partition it replicates has synced with the other"
                        + " replicas; it reports ready");
          }
          return released.get();
        },
        () -> "repaired partitions synced with the other replicas");
  }

  /** Whether every partition {@code self} replicates in {@code ring} has a completed transfer. */
  static boolean partitionsSynced(
      Ring ring, String self, List<TransferTracker.Transfer> transfers) {
    if (!ring.members().contains(self)) {
      return false;
    }
    if (ring.members().size() <= 1) {
      return true; // no other replica to bring anything back from
    }
    Set<Integer> synced = new HashSet<>();
    transfers.stream()
        .filter(t -> t.state() == TransferTracker.State.done)
        .forEach(t -> synced.add(t.partition()));
    for (int p = 0; p < ring.partitionCount(); p++) {
      if (ring.isReplica(p, self) && !synced.contains(p)) {
        return false;
      }
    }
    return true;
  }

  public RingstoreClient client() {
    return client;
  }

  public ReplicaDirectory directory() {
    return directory;
  }

  public NodeReadiness readiness() {
    return readiness;
  }

  public CompletionStage<Tcp.ServerBinding> httpBinding() {
    return binding;
  }

  /** This node's object store (null on a client member). */
  public LocalObjectStore store() {
    return store;
  }

  /**
   * The transfers into this node's replicas, as {@code /admin/transfers} reports them (null on a
   * client member).
   */
  public TransferTracker transfers() {
    return transfers;
  }

  /** What anti-entropy did on this node. */
  public AntiEntropyStatus antiEntropy() {
    return antiEntropy;
  }

  /** This node's {@code host:port} cluster name. */
  public String name() {
    return name;
  }
}
