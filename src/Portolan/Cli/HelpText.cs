namespace Portolan.Cli;

internal static class HelpText
{
    public static string Usage => $"""
        portolan: AWS Cloud Map, Application Load Balancer and ECS, on machines you own.

        Usage:
          portolan serve [options]    run the server (API edge on one port for every AWS API)
          portolan --version          print the version
          portolan --help             print this help

        Options of 'serve':
          --data-dir DIR      local state (SQLite file, ...)             [{PortolanOptions.DefaultDataDir}]
          --api HOST:PORT     API listen address; repeat for more.       [127.0.0.1:{PortolanOptions.DefaultApiPort}]
                              127.0.0.1 and localhost also bind [::1] on the same port. Port 0 picks a free port.
          --dns HOST:PORT     DNS listen address (UDP and TCP)           [127.0.0.1:{PortolanOptions.DefaultDnsPort}]
          --dns-forward HOST:PORT
                              relay names outside Portolan's zones to this resolver (repeat for
                              more, tried in order); without it they are REFUSED  [off]
          --store URI         sqlite:PATH or etcd://HOST:PORT[,HOST:PORT...][/NAMESPACE]
                              (etcd: several nodes share one registry; namespace default /portolan)
                                                                         [sqlite:DATA-DIR/portolan.db]
          --node-name NAME    this node's name in the cluster (unique per store)  [HOSTNAME-APIPORT]
          --task-address IP   where this node's ECS tasks are registered in Cloud Map and target groups
                              (PORTOLAN_HOST_ADDRESS); set it to the host's address in a cluster of hosts  [127.0.0.1]
          --region R          region in ARNs and signatures              [{PortolanOptions.DefaultRegion}]
          --account N         12-digit account id in ARNs                [{PortolanOptions.DefaultAccount}]
          --auth FILE         verify SigV4 signatures against this access-key file; without it any
                              credentials are accepted. One 'ACCESS_KEY_ID SECRET_ACCESS_KEY' per line,
                              '#' starts a comment line.
          --log-format F      text (one line per entry) or json (one JSON object per line)   [text]
          --health-interval SECONDS
                              how often Cloud Map instances with HealthCheckConfig are probed (1-300;
                              AWS: 30). Per service: service attribute portolan:health-check-interval  [30]
          --strict-aws        reject what AWS rejects where Portolan does more (health checks in private
                              DNS namespaces) and apply AWS's quotas (50 namespaces, 1,000 instances/service)

        On start, 'serve' prints one 'name: value' line per fact to stdout (among them 'api: http://HOST:PORT'
        for every bound API endpoint and 'dns: udp://HOST:PORT', 'dns: tcp://HOST:PORT', with the real ports)
        and then a line 'ready'. Logs go to stderr.
        The web console is at http://HOST:PORT/console/ on the API port; Prometheus metrics at /metrics.
        SIGINT (Ctrl+C) or SIGTERM stops it gracefully.

        Use it with the aws CLI:
          aws --endpoint-url http://127.0.0.1:{PortolanOptions.DefaultApiPort} servicediscovery list-namespaces
        'discover-instances' calls the host 'data-<endpoint host>'. With libnss-myhostname installed, use
        --endpoint-url http://portolan.localhost:{PortolanOptions.DefaultApiPort} (every *.localhost name is loopback),
        or set HTTP_PROXY=http://127.0.0.1:{PortolanOptions.DefaultApiPort}: the API port also accepts proxy-form requests.
        """;
}
