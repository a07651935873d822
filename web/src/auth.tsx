import { useQuery, useQueryClient } from "@tanstack/react-query";
import { createContext, useContext, useEffect, useState, type ReactNode } from "react";
import { MeDto, UserRole } from "@threatplatform/client";
import { api, onSessionChange, session, signOut } from "./api";

interface AuthState {
  me: MeDto | undefined;
  signedIn: boolean;
  loading: boolean;
  isAdmin: boolean;
  signOut: () => Promise<void>;
}

const AuthContext = createContext<AuthState | null>(null);

export function AuthProvider({ children }: { children: ReactNode }) {
  const queryClient = useQueryClient();
  const [signedIn, setSignedIn] = useState(session.current !== null);
  useEffect(
    () =>
      onSessionChange((tokens) => {
        setSignedIn(tokens !== null);
        if (tokens === null) queryClient.clear();
      }),
    [queryClient],
  );

  const me = useQuery({
    queryKey: ["me", signedIn],
    queryFn: ({ signal }) => api.auth().me(signal),
    enabled: signedIn,
    staleTime: 5 * 60_000,
    retry: false,
  });

  const value: AuthState = {
    me: me.data,
    signedIn,
    loading: signedIn && me.isPending,
    isAdmin: me.data?.role === UserRole.Admin,
    signOut: async () => {
      await signOut();
      queryClient.clear();
    },
  };
  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}

export function useAuth(): AuthState {
  const value = useContext(AuthContext);
  if (!value) throw new Error("useAuth outside AuthProvider");
  return value;
}
