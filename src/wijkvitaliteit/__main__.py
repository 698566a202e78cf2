from wijkvitaliteit.cli.main import main

main()
