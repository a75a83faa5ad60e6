//! `aftership-sandbox`: the AfterShip-compatible sandbox on its own (see the library).

fn main() -> anyhow::Result<()> {
    aftership_sandbox::cli::main()
}
