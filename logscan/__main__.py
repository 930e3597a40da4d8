from logscan.cli.entry import main

main()
