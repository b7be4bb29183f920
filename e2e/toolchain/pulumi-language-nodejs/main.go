// Command pulumi-language-nodejs is this project's stand-in for Pulumi's Node.js language host.
//
// Why a stand-in: the real host is its own Go module
// (github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3). It has no tags, and the Go
// module proxy that these machines reach serves no version of it at all (every pseudo-version,
// and the version list, answer 403 "not available"), so it cannot be built here. Everything the
// host does that matters for `pulumi preview/up/destroy` is thin: it starts `node` on
// @pulumi/pulumi's own `cmd/run` (the SDK does the real work and talks to the engine's resource
// monitor itself), reports the Pulumi packages installed under node_modules, and starts policy
// packs through @pulumi/pulumi's `cmd/run-policy-pack`. This program does exactly that, with the
// same command line and environment contract as the Pulumi 3.248 host (the contract lives in
// @pulumi/pulumi's cmd/run/index.js and run.js: --monitor, --engine, --project, --stack, --pwd,
// --dry-run, --parallel, ... and PULUMI_CONFIG, PULUMI_CONFIG_SECRET_KEYS,
// PULUMI_NODEJS_TYPESCRIPT, PULUMI_NODEJS_TSCONFIG_PATH). InstallDependencies, which `pulumi
// package add` and `pulumi install` call for a PulumiPlugin.yaml directory, does what the 3.248
// host does with the same SDK code: the npm/yarn/pnpm workspace root above the directory if there
// is one (npm.FindWorkspaceRoot), else the directory, then npm.Install there (`npm install`, or the
// package manager the lock file or the packagemanager option names). It leaves out what the e2e
// tests do not use: code generation, packing/linking, the install cache of the conformance tests,
// installing a Node.js version with fnm (UseLanguageVersionTools), debugger attach, the bun
// runtime and the synchronous-invoke pipes of the deprecated *Sync functions.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/protobuf/types/known/emptypb"

	sdk "github.com/pulumi/pulumi/sdk/v3"
	"github.com/pulumi/pulumi/sdk/v3/go/common/apitype"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/config"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/cmdutil"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/logging"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
	"github.com/pulumi/pulumi/sdk/v3/nodejs/npm"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

// version is set with -ldflags "-X main.version=..." (the Pulumi release whose contract this follows).
var version = "0.0.0-dev"

// exit code with which @pulumi/pulumi's cmd/run says "the user has already been shown an
// actionable message": the engine should stop without adding one of its own.
const exitCodeAfterActionableMessage = 32

func main() {
	var tracing, runtimeName string
	flag.StringVar(&tracing, "tracing", "", "Emit tracing to a Zipkin-compatible tracing endpoint")
	flag.StringVar(&runtimeName, "runtime", "nodejs", "Runtime (only nodejs is supported by this stand-in)")
	showVersion := flag.Bool("version", false, "Print the plugin version and exit")
	flag.Parse()
	if *showVersion {
		fmt.Println(version)
		return
	}
	if runtimeName != "nodejs" {
		cmdutil.Exit(fmt.Errorf("unsupported runtime %q: this stand-in language host runs nodejs only", runtimeName))
	}
	logging.InitLogging(false, 0, false)

	var engineAddress string
	if args := flag.Args(); len(args) > 0 {
		engineAddress = args[0]
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	cancelServer := make(chan bool)
	go func() {
		<-ctx.Done()
		close(cancelServer)
	}()

	if engineAddress != "" {
		// Exit when the engine goes away, like every plugin.
		if err := rpcutil.Healthcheck(ctx, engineAddress, 5*time.Minute, stop); err != nil {
			cmdutil.Exit(fmt.Errorf("could not start health check: %w", err))
		}
	}

	h := newHost(engineAddress, tracing)
	handle, err := rpcutil.ServeWithOptions(rpcutil.ServeOptions{
		Cancel: cancelServer,
		Init: func(srv *grpc.Server) error {
			pulumirpc.RegisterLanguageRuntimeServer(srv, h)
			return nil
		},
		Options: rpcutil.TracingServerInterceptorOptions(nil),
	})
	if err != nil {
		cmdutil.Exit(fmt.Errorf("could not start language host RPC server: %w", err))
	}
	// The engine reads the port from our first line of output.
	fmt.Printf("%d\n", handle.Port)
	if err := <-handle.Done; err != nil {
		cmdutil.Exit(fmt.Errorf("language host RPC server stopped: %w", err))
	}
}

type host struct {
	pulumirpc.UnimplementedLanguageRuntimeServer

	mu            sync.Mutex
	engineAddress string
	tracing       string
	cancelCtx     context.Context
	cancel        context.CancelFunc
}

func newHost(engineAddress, tracing string) *host {
	ctx, cancel := context.WithCancel(context.Background())
	return &host{engineAddress: engineAddress, tracing: tracing, cancelCtx: ctx, cancel: cancel}
}

func (h *host) engine() string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.engineAddress
}

func (h *host) Handshake(
	_ context.Context, req *pulumirpc.LanguageHandshakeRequest,
) (*pulumirpc.LanguageHandshakeResponse, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if req.GetEngineAddress() != "" {
		h.engineAddress = req.GetEngineAddress()
	}
	return &pulumirpc.LanguageHandshakeResponse{}, nil
}

func (h *host) GetPluginInfo(context.Context, *emptypb.Empty) (*pulumirpc.PluginInfo, error) {
	return &pulumirpc.PluginInfo{Version: version}, nil
}

func (h *host) Cancel(context.Context, *emptypb.Empty) (*emptypb.Empty, error) {
	h.cancel()
	return &emptypb.Empty{}, nil
}

// ---- options from Pulumi.yaml's runtime.options ---------------------------------------------------

type nodeOptions struct {
	typescript     bool
	tsconfigPath   string
	nodeArgs       []string
	packageManager npm.PackageManagerType
}

func parseOptions(info *pulumirpc.ProgramInfo) (nodeOptions, error) {
	opts := nodeOptions{typescript: true, packageManager: npm.AutoPackageManager}
	if info == nil || info.GetOptions() == nil {
		return opts, nil
	}
	m := info.GetOptions().AsMap()
	if v, ok := m["typescript"]; ok {
		b, ok := v.(bool)
		if !ok {
			return opts, errors.New("typescript option must be a boolean")
		}
		opts.typescript = b
	}
	if v, ok := m["tsconfig"]; ok {
		s, ok := v.(string)
		if !ok {
			return opts, errors.New("tsconfig option must be a string")
		}
		opts.tsconfigPath = s
	}
	if v, ok := m["nodeargs"]; ok {
		s, ok := v.(string)
		if !ok {
			return opts, errors.New("nodeargs option must be a string")
		}
		opts.nodeArgs = strings.Fields(s)
	}
	if v, ok := m["packagemanager"]; ok {
		s, ok := v.(string)
		if !ok {
			return opts, errors.New("packagemanager option must be a string")
		}
		switch pm := npm.PackageManagerType(s); pm {
		case npm.AutoPackageManager, npm.NpmPackageManager, npm.YarnPackageManager, npm.PnpmPackageManager,
			npm.BunPackageManager:
			opts.packageManager = pm
		default:
			return opts, fmt.Errorf("packagemanager option must be one of auto, npm, yarn, pnpm or bun, got %q", s)
		}
	}
	return opts, nil
}

func (o nodeOptions) env() []string {
	var env []string
	if o.typescript {
		env = append(env, "PULUMI_NODEJS_TYPESCRIPT=true")
	}
	if o.tsconfigPath != "" {
		env = append(env, "PULUMI_NODEJS_TSCONFIG_PATH="+o.tsconfigPath)
	}
	return env
}

// resolveModule asks node where a module (e.g. "@pulumi/pulumi/cmd/run") resolves from dir.
func resolveModule(ctx context.Context, nodeBin, dir, module, hint string) (string, error) {
	script := fmt.Sprintf(`try { console.log(require.resolve(%q)); } catch (e) { `+
		`console.error(e.code === "MODULE_NOT_FOUND" ? %q : e.message); process.exit(1); }`,
		module, "It looks like the Pulumi SDK has not been installed. Have you run "+hint+"?")
	cmd := exec.CommandContext(ctx, nodeBin, "-e", script)
	cmd.Dir = dir
	out, err := cmd.Output()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return "", errors.New(strings.TrimSpace(string(ee.Stderr)))
		}
		return "", err
	}
	return strings.TrimSpace(string(out)), nil
}

// ---- Run: the program ---------------------------------------------------------------------------

func (h *host) Run(ctx context.Context, req *pulumirpc.RunRequest) (*pulumirpc.RunResponse, error) {
	info := req.GetInfo()
	if info == nil {
		return &pulumirpc.RunResponse{Error: "RunRequest carries no program info"}, nil
	}
	nodeBin, err := exec.LookPath("node")
	if err != nil {
		return &pulumirpc.RunResponse{Error: "could not find node on the $PATH: " + err.Error()}, nil
	}
	opts, err := parseOptions(info)
	if err != nil {
		return &pulumirpc.RunResponse{Error: err.Error()}, nil
	}
	runModule := os.Getenv("PULUMI_LANGUAGE_NODEJS_RUN_PATH")
	if runModule == "" {
		runModule = "@pulumi/pulumi/cmd/run"
	}
	runPath, err := resolveModule(ctx, nodeBin, info.GetProgramDirectory(), runModule, "pulumi install")
	if err != nil {
		return &pulumirpc.RunResponse{Error: err.Error()}, nil
	}

	configJSON, err := configForNode(req.GetConfig())
	if err != nil {
		return &pulumirpc.RunResponse{Error: "failed to serialize configuration: " + err.Error()}, nil
	}
	secretKeys := req.GetConfigSecretKeys()
	if secretKeys == nil {
		secretKeys = []string{}
	}
	secretKeysJSON, err := json.Marshal(secretKeys)
	if err != nil {
		return &pulumirpc.RunResponse{Error: "failed to serialize secret config keys: " + err.Error()}, nil
	}

	args := append([]string{}, opts.nodeArgs...)
	args = append(args, runPath)
	flagArg := func(name, value string) {
		if value != "" {
			args = append(args, "--"+name, value)
		}
	}
	flagArg("monitor", req.GetMonitorAddress())
	flagArg("engine", h.engine())
	flagArg("organization", req.GetOrganization())
	flagArg("project", req.GetProject())
	flagArg("root-directory", info.GetRootDirectory())
	flagArg("stack", req.GetStack())
	flagArg("pwd", info.GetProgramDirectory())
	if req.GetDryRun() {
		args = append(args, "--dry-run")
	}
	flagArg("parallel", strconv.Itoa(int(req.GetParallel())))
	flagArg("tracing", h.tracing)
	entry := info.GetEntryPoint()
	if entry == "" {
		entry = "."
	}
	args = append(args, entry)
	args = append(args, req.GetArgs()...)

	env := append(os.Environ(),
		"PULUMI_CONFIG="+configJSON,
		"PULUMI_CONFIG_SECRET_KEYS="+string(secretKeysJSON))
	env = append(env, opts.env()...)

	// Stop node when the engine cancels (Cancel RPC) or the request goes away.
	cmdCtx, cmdCancel := context.WithCancel(h.cancelCtx)
	defer cmdCancel()
	stopWatch := context.AfterFunc(ctx, cmdCancel)
	defer stopWatch()

	cmd := exec.CommandContext(cmdCtx, nodeBin, args...)
	cmd.Cancel = func() error { return cmd.Process.Signal(os.Interrupt) }
	cmd.WaitDelay = 5 * time.Second
	cmd.Env = env
	// Node may switch its stdio to non-blocking mode; never hand it our own file descriptors.
	cmd.Stdout = struct{ io.Writer }{os.Stdout}
	cmd.Stderr = struct{ io.Writer }{os.Stderr}
	logging.V(5).Infof("stand-in language host running: %s %s", nodeBin, strings.Join(args, " "))

	if err := cmd.Run(); err != nil {
		_ = os.Stdout.Sync()
		_ = os.Stderr.Sync()
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			switch code := ee.ExitCode(); code {
			case exitCodeAfterActionableMessage:
				return &pulumirpc.RunResponse{Bail: true}, nil
			case 0:
				return &pulumirpc.RunResponse{Error: "Program exited unexpectedly: " + err.Error()}, nil
			default:
				return &pulumirpc.RunResponse{Error: fmt.Sprintf("Program exited with non-zero exit code: %d", code)}, nil
			}
		}
		return &pulumirpc.RunResponse{
			Error: "Problem executing program (could not run language executor): " + err.Error(),
		}, nil
	}
	return &pulumirpc.RunResponse{}, nil
}

// configForNode turns engine config ("pkg:key") into the "pkg:config:key" form that every
// @pulumi/pulumi version reads from PULUMI_CONFIG.
func configForNode(cfg map[string]string) (string, error) {
	out := make(map[string]string, len(cfg))
	for k, v := range cfg {
		key, err := config.ParseKey(k)
		if err != nil {
			return "", err
		}
		out[key.Namespace()+":config:"+key.Name()] = v
	}
	b, err := json.Marshal(out)
	return string(b), err
}

// ---- InstallDependencies: `pulumi install`, `pulumi package add` -------------------------------

// InstallDependencies installs a program's or a plugin's node_modules the way the 3.248 host does
// (its InstallDependencies and installShared, without the conformance tests' install cache): in the
// npm/yarn/pnpm workspace root that includes the directory, else in the directory itself.
func (h *host) InstallDependencies(
	req *pulumirpc.InstallDependenciesRequest, server pulumirpc.LanguageRuntime_InstallDependenciesServer,
) error {
	closer, stdout, stderr, err := rpcutil.MakeInstallDependenciesStreams(server, req.GetIsTerminal())
	if err != nil {
		return err
	}
	defer closer.Close()

	dir := req.GetInfo().GetProgramDirectory()
	fmt.Fprint(stdout, "Installing dependencies...\n\n")
	root := dir
	if found, err := npm.FindWorkspaceRoot(dir); err == nil {
		fmt.Fprintf(stdout, "Detected workspace root at %s\n", found)
		root = found
	} else if !errors.Is(err, npm.ErrNotInWorkspace) {
		return fmt.Errorf("failure while trying to find workspace root: %w", err)
	}
	opts, err := parseOptions(req.GetInfo())
	if err != nil {
		return fmt.Errorf("failed to parse options: %w", err)
	}
	logging.V(5).Infof("stand-in language host installing dependencies in %s (plugin: %v)", root, req.GetIsPlugin())
	if _, err := npm.Install(server.Context(), opts.packageManager, root, false /*production*/, stdout, stderr); err != nil {
		return err
	}
	fmt.Fprint(stdout, "Finished installing dependencies\n\n")
	return closer.Close()
}

// ---- RunPlugin: policy packs (and Node.js plugins) -----------------------------------------------

func (h *host) RunPlugin(req *pulumirpc.RunPluginRequest, server pulumirpc.LanguageRuntime_RunPluginServer) error {
	ctx := server.Context()
	info := req.GetInfo()
	if info == nil {
		return errors.New("RunPluginRequest carries no program info")
	}
	closer, stdout, stderr, err := rpcutil.MakeRunPluginStreams(server, false)
	if err != nil {
		return err
	}
	defer closer.Close()

	nodeBin, err := exec.LookPath("node")
	if err != nil {
		return err
	}
	opts, err := parseOptions(info)
	if err != nil {
		return err
	}
	env := append(append([]string{}, req.GetEnv()...), opts.env()...)

	isPolicyPack := req.GetKind() == string(apitype.AnalyzerPlugin)
	module := "@pulumi/pulumi/cmd/run-plugin"
	if isPolicyPack {
		module = "@pulumi/pulumi/cmd/run-policy-pack"
	} else if p := os.Getenv("PULUMI_LANGUAGE_NODEJS_RUN_PATH"); p != "" {
		module = p
	}
	runPath, err := resolveModule(ctx, nodeBin, info.GetProgramDirectory(), module,
		"npm install in "+info.GetProgramDirectory())
	if err != nil {
		return err
	}

	args := append([]string{runPath}, opts.nodeArgs...)
	if isPolicyPack {
		// run-policy-pack takes the engine address first and the pack's directory last.
		args = append(args, req.GetArgs()...)
		args = append(args, info.GetProgramDirectory())
	} else {
		args = append(args, info.GetProgramDirectory())
		args = append(args, req.GetArgs()...)
	}

	// A policy pack learns the stack's configuration from the engine's ConfigureStack call, which
	// the engine makes only once the pack is serving. sdk.PolicyProxy answers that call on the
	// pack's behalf first, so its contents can be passed to node in the environment, then forwards
	// everything to the real pack.
	var proxy *sdk.PolicyProxy
	if isPolicyPack {
		proxy, stdout, err = sdk.NewPolicyProxy(ctx, stdout)
		if err != nil {
			return fmt.Errorf("could not start policy pack proxy: %w", err)
		}
		stackConfig, err := proxy.AwaitConfiguration(ctx)
		if err != nil {
			return fmt.Errorf("could not get stack configuration: %w", err)
		}
		if stackConfig != nil {
			add := func(k, v string) {
				if v != "" {
					env = append(env, k+"="+v)
				}
			}
			add("PULUMI_NODEJS_ORGANIZATION", stackConfig.GetOrganization())
			add("PULUMI_NODEJS_PROJECT", stackConfig.GetProject())
			add("PULUMI_NODEJS_STACK", stackConfig.GetStack())
			add("PULUMI_NODEJS_DRY_RUN", strconv.FormatBool(stackConfig.GetDryRun()))
			if c := stackConfig.GetConfig(); c != nil {
				b, err := json.Marshal(c)
				if err != nil {
					return fmt.Errorf("could not marshal stack configuration: %w", err)
				}
				add("PULUMI_CONFIG", string(b))
			}
		}
	}

	cmd := exec.CommandContext(ctx, nodeBin, args...)
	if isPolicyPack {
		cmd.Dir = info.GetProgramDirectory() // policy packs always ran from their own directory
	} else {
		cmd.Dir = req.GetPwd()
	}
	cmd.Env = env
	cmd.Stdout, cmd.Stderr = stdout, stderr
	logging.V(5).Infof("stand-in language host running plugin: %s %s", nodeBin, strings.Join(args, " "))

	if err := cmd.Start(); err != nil {
		return fmt.Errorf("could not start plugin: %w", err)
	}
	if proxy != nil {
		if err := proxy.Attach(ctx, cmd); err != nil {
			return fmt.Errorf("could not attach policy pack proxy: %w", err)
		}
	} else if err := cmd.Wait(); err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			if ws, ok := ee.Sys().(syscall.WaitStatus); ok {
				return fmt.Errorf("Program exited with non-zero exit code: %d", ws.ExitStatus())
			}
			return fmt.Errorf("Program exited unexpectedly: %w", ee)
		}
		return err
	}
	return closer.Close()
}

// ---- plugin discovery -----------------------------------------------------------------------------

type pulumiPackage struct {
	Name    string
	Version string
	Server  string
}

// packageJSON is the part of a package.json that matters here.
type packageJSON struct {
	Name         string            `json:"name"`
	Version      string            `json:"version"`
	Dependencies map[string]string `json:"dependencies"`
	Pulumi       *struct {
		Resource bool   `json:"resource"`
		Name     string `json:"name"`
		Version  string `json:"version"`
		Server   string `json:"server"`
	} `json:"pulumi"`
}

func readPackageJSON(path string) (*packageJSON, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var p packageJSON
	if err := json.Unmarshal(b, &p); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return &p, nil
}

// findPulumiPackages walks every node_modules below dir (following nested node_modules, not
// symlink loops) and returns the resource plugins that installed packages declare in the
// "pulumi" section of their package.json, e.g. @pulumi/kubernetes's {resource, name, version}.
func findPulumiPackages(dir string) []pulumiPackage {
	seen := map[string]bool{}
	found := map[string]pulumiPackage{}
	var walk func(nodeModules string)
	visitPackage := func(pkgDir string) {
		real, err := filepath.EvalSymlinks(pkgDir)
		if err != nil || seen[real] {
			return
		}
		seen[real] = true
		if p, err := readPackageJSON(filepath.Join(pkgDir, "package.json")); err == nil &&
			p.Pulumi != nil && p.Pulumi.Resource {
			name := p.Pulumi.Name
			if name == "" {
				name = strings.TrimPrefix(p.Name, "@pulumi/")
			}
			ver := p.Pulumi.Version
			if ver == "" {
				ver = p.Version
			}
			key := name + "@" + ver
			found[key] = pulumiPackage{Name: name, Version: ver, Server: p.Pulumi.Server}
		}
		walk(filepath.Join(pkgDir, "node_modules"))
	}
	walk = func(nodeModules string) {
		entries, err := os.ReadDir(nodeModules)
		if err != nil {
			return
		}
		for _, e := range entries {
			name := e.Name()
			if strings.HasPrefix(name, ".") {
				continue
			}
			p := filepath.Join(nodeModules, name)
			if strings.HasPrefix(name, "@") {
				scoped, err := os.ReadDir(p)
				if err != nil {
					continue
				}
				for _, s := range scoped {
					visitPackage(filepath.Join(p, s.Name()))
				}
				continue
			}
			visitPackage(p)
		}
	}
	walk(filepath.Join(dir, "node_modules"))

	out := make([]pulumiPackage, 0, len(found))
	for _, p := range found {
		out = append(out, p)
	}
	sort.Slice(out, func(i, j int) bool {
		return out[i].Name+"@"+out[i].Version < out[j].Name+"@"+out[j].Version
	})
	return out
}

func (h *host) GetRequiredPackages(
	_ context.Context, req *pulumirpc.GetRequiredPackagesRequest,
) (*pulumirpc.GetRequiredPackagesResponse, error) {
	var out []*pulumirpc.PackageDependency
	for _, p := range findPulumiPackages(req.GetInfo().GetProgramDirectory()) {
		out = append(out, &pulumirpc.PackageDependency{
			Kind: string(apitype.ResourcePlugin), Name: p.Name, Version: p.Version, Server: p.Server,
		})
	}
	return &pulumirpc.GetRequiredPackagesResponse{Packages: out}, nil
}

func (h *host) GetRequiredPlugins(
	_ context.Context, req *pulumirpc.GetRequiredPluginsRequest,
) (*pulumirpc.GetRequiredPluginsResponse, error) {
	var out []*pulumirpc.PluginDependency
	for _, p := range findPulumiPackages(req.GetInfo().GetProgramDirectory()) {
		out = append(out, &pulumirpc.PluginDependency{
			Kind: string(apitype.ResourcePlugin), Name: p.Name, Version: p.Version, Server: p.Server,
		})
	}
	return &pulumirpc.GetRequiredPluginsResponse{Plugins: out}, nil
}

// GetProgramDependencies lists the program's direct dependencies with their installed versions.
func (h *host) GetProgramDependencies(
	_ context.Context, req *pulumirpc.GetProgramDependenciesRequest,
) (*pulumirpc.GetProgramDependenciesResponse, error) {
	dir := req.GetInfo().GetProgramDirectory()
	root, err := readPackageJSON(filepath.Join(dir, "package.json"))
	if err != nil {
		return nil, err
	}
	names := make([]string, 0, len(root.Dependencies))
	for n := range root.Dependencies {
		names = append(names, n)
	}
	sort.Strings(names)
	var deps []*pulumirpc.DependencyInfo
	for _, n := range names {
		v := root.Dependencies[n]
		if p, err := readPackageJSON(filepath.Join(dir, "node_modules", n, "package.json")); err == nil {
			v = p.Version
		}
		deps = append(deps, &pulumirpc.DependencyInfo{Name: n, Version: v})
	}
	return &pulumirpc.GetProgramDependenciesResponse{Dependencies: deps}, nil
}

func (h *host) About(ctx context.Context, _ *pulumirpc.AboutRequest) (*pulumirpc.AboutResponse, error) {
	nodeBin, err := exec.LookPath("node")
	if err != nil {
		return nil, fmt.Errorf("could not find node on the $PATH: %w", err)
	}
	out, err := exec.CommandContext(ctx, nodeBin, "--version").Output()
	if err != nil {
		return nil, err
	}
	return &pulumirpc.AboutResponse{
		Executable: nodeBin,
		Version:    strings.TrimPrefix(strings.TrimSpace(string(out)), "v"),
		Metadata:   map[string]string{"languageHost": "ws-exposure stand-in"},
	}, nil
}

func (h *host) RuntimeOptionsPrompts(
	context.Context, *pulumirpc.RuntimeOptionsRequest,
) (*pulumirpc.RuntimeOptionsResponse, error) {
	return &pulumirpc.RuntimeOptionsResponse{}, nil
}
