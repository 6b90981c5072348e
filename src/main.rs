//! The Circle's server binary: parse the configuration, start logging, serve until
//! Ctrl-C or SIGTERM.

use circle::config::Config;
use circle::startup::App;
use circle::{shutdown, telemetry};
use clap::Parser;
use std::io::IsTerminal;

fn main() -> anyhow::Result<()> {
    let config = Config::parse();
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .global_queue_interval(config.global_queue_interval)
        .build()?
        .block_on(serve(config))
}

async fn serve(config: Config) -> anyhow::Result<()> {
    telemetry::init(
        std::io::stderr,
        std::io::stderr().is_terminal(),
        config.limits.log_burst,
    );
    let app = App::build(config).await?;
    let address = app.local_addr();
    tracing::info!(%address, "listening");
    // Scripts and tests wait for this line to know the server is ready, and on which port;
    // people open the address it shows.
    if address.ip().is_unspecified() {
        println!("circle listening on http://localhost:{}", address.port());
    } else {
        println!("circle listening on http://{address}");
    }
    app.run_until(shutdown::signal()).await
}
