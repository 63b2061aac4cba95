package dev.sluice.bench.storage;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.ratis.RaftConfigKeys;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.grpc.GrpcConfigKeys;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.rpc.SupportedRpcType;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.apache.ratis.util.SizeInBytes;
import org.apache.ratis.util.TimeDuration;

/**
 * One Ratis group on loopback in this JVM: {@code peers} RaftServers (1 = a single node with its
 * own log, 3 = a cluster), each with its log in its own directory under {@code dir}, and one
 * RaftClient. {@code fsync} true is "ack after the entry is forced to disk" (Ratis's default);
 * false sets raft.server.log.unsafe-flush.enabled, which advances the flush index as soon as the
 * entry was written to the OS and forces later: the equivalent of everysec/appendfsync-no.
 */
final class RatisGroup implements AutoCloseable {
    final RaftGroup group;
    final RaftProperties properties;
    final List<RaftServer> servers = new ArrayList<>();
    final List<CountingStateMachine> machines = new ArrayList<>();
    /** One client per writer: a RaftClient's async calls are ordered, so one client is one stream. */
    final List<RaftClient> clients = new ArrayList<>();
    final RaftClient client;

    private RatisGroup(RaftGroup group, RaftProperties properties) {
        this.group = group;
        this.properties = properties;
        for (int i = 0; i < CLIENTS; i++) {
            clients.add(RaftClient.newBuilder().setProperties(properties).setRaftGroup(group).build());
        }
        this.client = clients.get(0);
    }

    static final int CLIENTS = 16;

    static RaftProperties properties(boolean fsync, Path storage) {
        RaftProperties p = new RaftProperties();
        RaftConfigKeys.Rpc.setType(p, SupportedRpcType.GRPC);
        RaftServerConfigKeys.setStorageDir(p, List.of(storage.toFile()));
        RaftServerConfigKeys.Log.setUnsafeFlushEnabled(p, !fsync);
        RaftServerConfigKeys.Log.setSegmentSizeMax(p, SizeInBytes.valueOf("32MB"));
        // A busy 2-core box: elections in seconds, not 150 ms (issue #14 asks for the same).
        RaftServerConfigKeys.Rpc.setTimeoutMin(p, TimeDuration.valueOf(1, TimeUnit.SECONDS));
        RaftServerConfigKeys.Rpc.setTimeoutMax(p, TimeDuration.valueOf(2, TimeUnit.SECONDS));
        // Snapshots only when asked for (the recovery measurement asks).
        RaftServerConfigKeys.Snapshot.setAutoTriggerEnabled(p, false);
        RaftServerConfigKeys.Log.setPurgeUptoSnapshotIndex(p, true);
        return p;
    }

    /** Starts a new group with fresh logs; blocks until a leader has answered one write. */
    static RatisGroup start(int peers, boolean fsync, Path dir) throws IOException {
        List<RaftPeer> list = new ArrayList<>();
        for (int i = 0; i < peers; i++) {
            list.add(RaftPeer.newBuilder().setId("n" + i).setAddress("127.0.0.1:" + freePort()).build());
        }
        RaftGroup group = RaftGroup.valueOf(RaftGroupId.valueOf(UUID.randomUUID()), list);
        return open(group, fsync, dir, false);
    }

    /** Starts the servers of {@code group} over whatever their directories hold (a restart). */
    static RatisGroup open(RaftGroup group, boolean fsync, Path dir, boolean restart) throws IOException {
        RaftProperties clientProps = properties(fsync, dir);
        RatisGroup g = new RatisGroup(group, clientProps);
        for (RaftPeer peer : group.getPeers()) {
            RaftProperties p = properties(fsync, dir.resolve(peer.getId().toString()));
            GrpcConfigKeys.Server.setPort(p, Integer.parseInt(peer.getAddress().split(":")[1]));
            CountingStateMachine sm = new CountingStateMachine();
            RaftServer server = RaftServer.newBuilder().setServerId(peer.getId()).setGroup(group)
                    .setProperties(p).setStateMachine(sm)
                    .setOption(restart ? RaftStorage.StartupOption.RECOVER : RaftStorage.StartupOption.FORMAT).build();
            g.servers.add(server);
            g.machines.add(sm);
        }
        for (RaftServer s : g.servers) {
            s.start();
        }
        return g;
    }

    CompletableFuture<RaftClientReply> send(int writer, byte[] payload) {
        return clients.get(writer % CLIENTS).async().send(Message.valueOf(ByteString.copyFrom(payload)));
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Override
    public void close() throws IOException {
        for (RaftClient c : clients) {
            c.close();
        }
        for (RaftServer s : servers) {
            s.close();
        }
    }
}
