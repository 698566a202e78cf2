from wijkvitaliteit.present.cli import main

main()
